import { replaceCardSection } from './model-folder';

describe('replaceCardSection', () => {
  const card =
    '# Model\n\n## Calibration\n\ntext\n\n## Evaluation\n\nFilled in later.\n\n## Known limitations\n\n- synthetic\n';

  it('replaces only the body of the named section, keeping the sections after it', () => {
    const out = replaceCardSection(card, 'Evaluation', '| a | b |\n| --- | --- |');
    expect(out).toBe(
      '# Model\n\n## Calibration\n\ntext\n\n## Evaluation\n\n| a | b |\n| --- | --- |\n\n## Known limitations\n\n- synthetic\n',
    );
    // Idempotent: evaluating again replaces the previous tables.
    expect(replaceCardSection(out, 'Evaluation', '| a | b |\n| --- | --- |')).toBe(out);
  });

  it('appends the section when the card lacks it', () => {
    expect(replaceCardSection('# Model\n', 'Evaluation', 'x')).toBe('# Model\n\n## Evaluation\n\nx\n');
  });
});
