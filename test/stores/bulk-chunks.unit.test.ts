import { describe, expect, it } from 'vitest';
import { nextInsertManyRows } from '../../src/stores/mongo/bulk-insert.js';
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

/** The `insertMany` sizes a pipelined MongoDB createMany of `rows` rows sends. */
function insertManyChunksOf(rows: number): number[] {
  const chunks: number[] = [];
  for (let from = 0, size: number | undefined; from < rows; from += size) {
    size = nextInsertManyRows(size, rows - from);
    chunks.push(size);
  }
  return chunks;
}

describe('the insertMany chunks of a pipelined MongoDB createMany', () => {
  it('sends a small batch as one insertMany', () => {
    expect(insertManyChunksOf(1)).toEqual([1]);
    expect(insertManyChunksOf(47)).toEqual([47]);
  });

  it('starts with 32 rows and doubles, a short tail going with the last chunk', () => {
    expect(insertManyChunksOf(48)).toEqual([32, 16]);
    expect(insertManyChunksOf(300)).toEqual([32, 64, 128, 76]);
    expect(insertManyChunksOf(1_000)).toEqual([32, 64, 128, 256, 520]);
  });

  it('never sends more than 1,000 rows, save a tail under 500 riding with the last, and covers every row once', () => {
    const chunks = insertManyChunksOf(100_000);
    expect(chunks.slice(0, 6)).toEqual([32, 64, 128, 256, 512, 1_000]);
    expect(Math.max(...chunks.slice(0, -1))).toBe(1_000);
    expect(chunks.at(-1)).toBeLessThan(1_500);
    expect(chunks.reduce((a, b) => a + b, 0)).toBe(100_000);
  });
});
