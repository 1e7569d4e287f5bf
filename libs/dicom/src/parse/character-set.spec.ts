import { CharacterSet } from './character-set';

const hex = (s: string): Uint8Array => Uint8Array.from(s.split(/\s+/u).map((b) => parseInt(b, 16)));

describe('CharacterSet (DICOM PS3.5 Annexes H, I, J)', () => {
  it('decodes ISO_IR 100 as ISO 8859-1', () => {
    expect(new CharacterSet(['ISO_IR 100']).decode(hex('42 75 63 5e 4a e9 72 f4 6d 65'), true)).toBe(
      'Buc^Jérôme',
    );
  });

  it('decodes ISO_IR 192 as UTF-8', () => {
    expect(
      new CharacterSet(['ISO_IR 192']).decode(
        new Uint8Array(Buffer.from('Wang^XiaoDong=王^小東=', 'utf8')),
        true,
      ),
    ).toBe('Wang^XiaoDong=王^小東=');
  });

  it('decodes Japanese with ISO 2022 IR 87 code extensions (PS3.5 H.3.1)', () => {
    const bytes = hex(
      '59 61 6d 61 64 61 5e 54 61 72 6f 75 3d 1b 24 42 3b 33 45 44 1b 28 42 5e 1b 24 42 42 40 4f 3a 1b 28 42 3d 1b 24 42 24 64 24 5e 24 40 1b 28 42 5e 1b 24 42 24 3f 24 6d 24 26 1b 28 42',
    );
    expect(new CharacterSet(['', 'ISO 2022 IR 87']).decode(bytes, true)).toBe(
      'Yamada^Tarou=山田^太郎=やまだ^たろう',
    );
  });

  it('decodes Korean with ISO 2022 IR 149 code extensions (PS3.5 I.2)', () => {
    const bytes = hex(
      '48 6f 6e 67 5e 47 69 6c 64 6f 6e 67 3d 1b 24 29 43 fb f3 5e 1b 24 29 43 d1 ce d4 d7 3d 1b 24 29 43 c8 ab 5e 1b 24 29 43 b1 e6 b5 bf',
    );
    expect(new CharacterSet(['', 'ISO 2022 IR 149']).decode(bytes, true)).toBe(
      'Hong^Gildong=洪^吉洞=홍^길동',
    );
  });

  it('treats an absent Specific Character Set as the default repertoire', () => {
    expect(new CharacterSet([]).decode(hex('41 42 43'))).toBe('ABC');
  });
});
