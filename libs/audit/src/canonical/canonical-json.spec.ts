import { execFileSync } from 'node:child_process';
import fc from 'fast-check';
import { AuditError } from '../audit.errors';
import { canonicalJson } from './canonical-json';
import type { JsonValue } from './canonical-json';

describe('canonicalJson (RFC 8785)', () => {
  it('serialises the RFC 8785 §3.2.2 example exactly', () => {
    const input = JSON.parse(
      '{"numbers":[333333333.33333329,1E30,4.50,2e-3,0.000000000000000000000000001],' +
        '"string":"\\u20ac$\\u000F\\u000aA\'\\u0042\\u0022\\u005c\\\\\\"\\/","literals":[null,true,false]}',
    ) as JsonValue;
    expect(canonicalJson(input)).toBe(
      '{"literals":[null,true,false],"numbers":[333333333.3333333,1e+30,4.5,0.002,1e-27],' +
        '"string":"€$\\u000f\\nA\'B\\"\\\\\\\\\\"/"}',
    );
  });

  it('sorts member names by UTF-16 code units (RFC 8785 §3.2.3)', () => {
    const input: JsonValue = {
      '\u20ac': 'Euro Sign',
      '\r': 'Carriage Return',
      '\ufb33': 'Hebrew Letter Dalet With Dagesh',
      '1': 'One',
      '\ud83d\ude00': 'Emoji: Grinning Face',
      '\u0080': 'Control',
      '\u00f6': 'Latin Small Letter O With Diaeresis',
    };
    const names = Object.keys(JSON.parse(canonicalJson(input)) as object);
    expect(canonicalJson(input).indexOf('"\\r"')).toBe(1);
    expect(canonicalJson(input)).toMatch(
      /^\{"\\r":.*"1":.*"\u0080":.*"\u00f6":.*"\u20ac":.*"\ud83d\ude00":.*"\ufb33":/u,
    );
    expect(names).toHaveLength(7);
  });

  it('writes numbers in the ECMAScript form and -0 as 0', () => {
    expect(canonicalJson([-0, 1e21, 1e-7, 100, 0.1 + 0.2])).toBe('[0,1e+21,1e-7,100,0.30000000000000004]');
  });

  it('refuses what RFC 8785 cannot represent', () => {
    expect(() => canonicalJson(Number.NaN)).toThrow(AuditError);
    expect(() => canonicalJson(Number.POSITIVE_INFINITY)).toThrow(AuditError);
    expect(() => canonicalJson('\ud800')).toThrow(AuditError);
    expect(() => canonicalJson({ a: undefined as unknown as JsonValue })).toThrow(AuditError);
  });

  it('agrees with the canonicalize package on seeded random documents', () => {
    const documents = fc.sample(fc.jsonValue({ maxDepth: 4 }), { seed: 8785, numRuns: 300 }) as JsonValue[];
    // The package is an ES module only, so it runs in a child Node process (Node only, no network).
    const reference = execFileSync(
      process.execPath,
      [
        '--input-type=module',
        '-e',
        "import c from 'canonicalize'; let s = ''; process.stdin.on('data', (d) => (s += d)).on('end', () => " +
          'process.stdout.write(JSON.stringify(JSON.parse(s).map((v) => c(v)))));',
      ],
      { input: JSON.stringify(documents), cwd: __dirname },
    ).toString();
    // -0 does not survive the trip through JSON text, so both sides see the same values.
    const sent = JSON.parse(JSON.stringify(documents)) as JsonValue[];
    expect(sent.map((document) => canonicalJson(document))).toEqual(JSON.parse(reference));
  });
});
