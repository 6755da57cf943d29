import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { getBorderCharacters, table } from 'table';
import { renderBoxTable } from '../src/box-table';

/** What the `table` library draws for the same rows and rules: the look the seed shows, and our reference. */
function reference(rows: string[][], options: { title?: string; ruleAfter: number[] }): string {
  const columns = Math.max(...rows.map((row) => row.length));
  const data = options.title ? [[options.title, ...Array(columns - 1).fill('')], ...rows] : rows;
  return table(data, {
    border: getBorderCharacters('norc'),
    drawHorizontalLine: (index, size) => index === 0 || index === size || options.ruleAfter.includes(index),
    spanningCells: options.title && columns > 1 ? [{ row: 0, col: 0, colSpan: columns }] : undefined,
  }).trimEnd();
}

const materials = [
  ['NAME', 'TYPE', 'SET', 'REQUIRED', 'IS OUTPUT'],
  ['skynet-control-plane', 'CONTAINER_IMAGE', 'No', 'Yes', 'x'],
  ['rootfs', 'ARTIFACT', 'No', 'Yes', ''],
  ['build-ref', 'STRING', 'Yes', 'Yes', ''],
];
const keyValue = [
  ['Initialized At', '02 Nov 22 10:04 UTC'],
  ['Workflow', '2d289d33-8241-47b7-9ea2-8bd8b7c126f8'],
  ['Name', 'build-and-test'],
];

describe('renderBoxTable draws what the table library draws', () => {
  const cases: Array<[string, string[][], { title?: string; ruleAfter: number[] }]> = [
    ['key/value block, rule under the first row', keyValue, { ruleAfter: [1] }],
    ['titled key/value block', keyValue, { title: 'Env Variables', ruleAfter: [1] }],
    ['titled grid with a header', materials, { title: 'Materials', ruleAfter: [1, 2] }],
    ['untitled grid', materials, { ruleAfter: [1] }],
    [
      'empty cells and an empty row',
      [
        ['', ''],
        ['a', ''],
      ],
      { ruleAfter: [1] },
    ],
    ['one column with a title', [['only'], ['x']], { title: 'Title', ruleAfter: [1] }],
    [
      'a multi-line cell',
      [
        ['key', 'first line\nsecond, longer line'],
        ['k2', 'v'],
      ],
      { ruleAfter: [1] },
    ],
    [
      'wide and combining characters',
      [
        ['名前', 'café'],
        ['emoji 🚀', 'x'],
      ],
      { title: 'Ünïcode', ruleAfter: [1, 2] },
    ],
  ];
  for (const [name, rows, options] of cases) {
    test(name, () => {
      assert.equal(renderBoxTable(rows, options), reference(rows, options));
    });
  }

  test('random printable rows, titled and not', () => {
    let seed = 7;
    const random = (n: number) => {
      seed = (seed * 1103515245 + 12345) % 2147483648;
      return seed % n;
    };
    const word = () => Array.from({ length: random(14) }, () => String.fromCharCode(0x20 + random(0x5f))).join('');
    for (let round = 0; round < 200; round++) {
      const columns = 1 + random(5);
      const rows = Array.from({ length: 1 + random(6) }, () => Array.from({ length: columns }, word));
      const options = { title: random(2) ? `T${word()}` : undefined, ruleAfter: random(2) ? [1, 2] : [1] };
      // Where a title is wider than its columns the two differ on purpose (see the test below).
      const inner = Array.from({ length: columns }, (_, c) => Math.max(...rows.map((row) => row[c].length))).reduce(
        (sum, width) => sum + width + 3,
        -3,
      );
      if (options.title && options.title.length > inner) continue;
      assert.equal(renderBoxTable(rows, options), reference(rows, options), JSON.stringify({ rows, options }));
    }
  });
});

test('a title wider than its columns stays on one line and widens the last column (table would wrap it)', () => {
  assert.equal(
    renderBoxTable([['a', 'b']], { title: 'Env Variables', ruleAfter: [1] }),
    ['┌───────────────┐', '│ Env Variables │', '├───┬───────────┤', '│ a │ b         │', '└───┴───────────┘'].join(
      '\n',
    ),
  );
});

test('control characters are shown escaped, never sent to the terminal', () => {
  const drawn = renderBoxTable([['value', 'a\tb\x1b[31mred\x07']], { ruleAfter: [] });
  assert.match(drawn, /a\\tb\\x1b\[31mred\\x07/);
  assert.doesNotMatch(drawn, /[\x07\x1b\t]/);
});
