import { describe, expect, it } from 'vitest';
import { BULK_CHUNK_ROWS, nextChunkRows, pipelineChunkRows } from '../../src/stores/postgres/bulk-insert.js';

/** The statement sizes a pipelined createMany of `rows` rows sends, as the repository walks them. */
function chunksOf(rows: number): number[] {
  const size = pipelineChunkRows(rows);
  const chunks: number[] = [];
  for (let from = 0, length = 0; from < rows; from += length) {
    length = nextChunkRows(length, size);
    chunks.push(Math.min(length, rows - from));
  }
  return chunks;
}

describe('the chunks of a pipelined createMany', () => {
  it('sends a small batch as one statement', () => {
    expect(chunksOf(1)).toEqual([1]);
    expect(chunksOf(125)).toEqual([125]);
  });

  it('starts with 125 rows and doubles up to half the batch', () => {
    expect(chunksOf(250)).toEqual([125, 125]);
    expect(chunksOf(1_000)).toEqual([125, 250, 500, 125]);
    expect(chunksOf(1_200)).toEqual([125, 250, 500, 325]);
    expect(chunksOf(5_000)).toEqual([125, 250, 500, 1_000, 2_000, 1_125]);
  });

  it('never sends more than BULK_CHUNK_ROWS rows in one statement, and covers every row once', () => {
    const chunks = chunksOf(100_000);
    expect(Math.max(...chunks)).toBe(BULK_CHUNK_ROWS);
    expect(chunks.slice(0, 7)).toEqual([125, 250, 500, 1_000, 2_000, 4_000, 5_000]);
    expect(chunks.reduce((a, b) => a + b, 0)).toBe(100_000);
  });
});
