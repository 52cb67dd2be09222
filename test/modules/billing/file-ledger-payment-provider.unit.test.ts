import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { basename, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterEach, describe, expect, it } from 'vitest';
import { FileLedgerPaymentProvider } from '../../../src/modules/billing/file-ledger-payment-provider.js';

/**
 * The crash-test provider's ledger is shared by processes: what a real provider guarantees
 * (a key charges or refunds once; a charge never gives back more than it took) must hold when
 * several processes call it at the same instant.
 */
const MODULE = fileURLToPath(new URL('../../../src/modules/billing/file-ledger-payment-provider.ts', import.meta.url));
const PROCESSES = 6;

let dir: string;
afterEach(() => rmSync(dir, { recursive: true, force: true }));

/** A ledger with many charges: reading it takes long enough that processes starting together overlap. */
async function busyLedger(): Promise<FileLedgerPaymentProvider> {
  dir = mkdtempSync(join(tmpdir(), 'nexfit-ledger-'));
  const provider = new FileLedgerPaymentProvider(dir);
  for (let i = 0; i < 3_000; i++) await provider.charge({ idempotencyKey: `other-${i}`, amount: 100, currency: 'TRY', userId: 'u0', description: 'other' });
  return provider;
}

/**
 * Starts one node process per request; each loads the provider, says it is ready and spins
 * until every process is ready, so their refunds overlap. Resolves with what each reported.
 */
async function refundAtOnce(directory: string, requests: readonly { key: string; providerRef: string; amount: number }[]): Promise<string[]> {
  const go = join(directory, '..', `${basename(directory)}.go`);
  const script = `
    const { existsSync } = await import('node:fs');
    const { FileLedgerPaymentProvider } = await import(${JSON.stringify(MODULE)});
    const provider = new FileLedgerPaymentProvider(${JSON.stringify(directory)});
    const request = JSON.parse(process.argv.at(-1));
    console.log('ready');
    const deadline = Date.now() + 90_000;
    while (!existsSync(${JSON.stringify(go)})) if (Date.now() > deadline) process.exit(2);
    try {
      const r = await provider.refund({ idempotencyKey: request.key, providerRef: request.providerRef, amount: request.amount });
      console.log('refunded ' + r.providerRef);
    } catch (error) {
      console.log('refused ' + error.message);
    }`;
  let ready = 0;
  const done = requests.map(
    (request) =>
      new Promise<string>((resolve, reject) => {
        const child = spawn(process.execPath, ['--import', 'tsx', '--input-type=module', '-e', script, JSON.stringify(request)], { stdio: ['ignore', 'pipe', 'inherit'] });
        let out = '';
        child.stdout.on('data', (chunk: Buffer) => {
          if (!out.includes('ready') && (out + chunk.toString()).includes('ready') && ++ready === requests.length) writeFileSync(go, '');
          out += chunk.toString();
        });
        child.on('error', reject);
        child.on('exit', (code) => (code === 0 ? resolve(out.trim().split('\n').at(-1) ?? '') : reject(new Error(`refund process exited with ${code}`))));
      }),
  );
  try {
    return await Promise.all(done);
  } finally {
    rmSync(go, { force: true });
  }
}

describe('FileLedgerPaymentProvider shared by processes', { timeout: 120_000 }, () => {
  it('refunds a charge at most once in full when processes refund it at once under different keys', async () => {
    const provider = await busyLedger();
    const charge = await provider.charge({ idempotencyKey: 'purchase-1', amount: 4_900, currency: 'TRY', userId: 'u1', description: 'plan' });
    const outputs = await refundAtOnce(
      dir,
      Array.from({ length: PROCESSES }, (_, i) => ({ key: `refund-${i}`, providerRef: charge.providerRef, amount: 4_900 })),
    );
    expect(outputs.filter((o) => o.startsWith('refunded'))).toHaveLength(1);
    expect(outputs.filter((o) => o.startsWith('refused')).every((o) => o.includes('exceeds what is left'))).toBe(true);
    const { refunds } = provider.readLedger();
    expect(refunds).toHaveLength(1);
    expect(provider.netCharged()).toBe(300_000);
  });

  it('gives parts of a charge back until it is spent, never past it', async () => {
    const provider = await busyLedger();
    const charge = await provider.charge({ idempotencyKey: 'purchase-2', amount: 1_000, currency: 'TRY', userId: 'u1', description: 'plan' });
    const outputs = await refundAtOnce(
      dir,
      Array.from({ length: PROCESSES }, (_, i) => ({ key: `part-${i}`, providerRef: charge.providerRef, amount: 300 })),
    );
    // 3 × 300 fit in 1,000; a fourth would not.
    expect(outputs.filter((o) => o.startsWith('refunded'))).toHaveLength(3);
    expect(provider.readLedger().refunds.reduce((sum, r) => sum + r.amount, 0)).toBe(900);
    expect(provider.netCharged()).toBe(300_100);
  });

  it('refunds a key once when processes retry it at once, and finds it by the key afterwards', async () => {
    const provider = await busyLedger();
    const charge = await provider.charge({ idempotencyKey: 'purchase-3', amount: 2_000, currency: 'TRY', userId: 'u1', description: 'plan' });
    const outputs = await refundAtOnce(
      dir,
      Array.from({ length: PROCESSES }, () => ({ key: 'refund-once', providerRef: charge.providerRef, amount: 500 })),
    );
    expect(new Set(outputs)).toEqual(new Set([outputs[0]]));
    expect(outputs[0]).toMatch(/^refunded re_/);
    expect(provider.readLedger().refunds).toHaveLength(1);
    expect(await provider.findRefund('refund-once')).toEqual({ providerRef: outputs[0]!.slice('refunded '.length), chargeRef: charge.providerRef, amount: 500 });
    expect(await provider.findRefund('never-made')).toBeNull();
  });
});
