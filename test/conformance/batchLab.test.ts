import { describe, expect, it } from 'vitest';
import { runBatch } from '../../src/conformance/batchLab.js';
import { host, world } from '../engine/build.js';

describe('runBatch', () => {
  it('refuses two worlds with the same interface name (the lab tells worlds apart by device name)', async () => {
    const w = () => world([host('a', { ifaces: { ka1: ['10.0.0.1/24'] } }), host('b', { ifaces: { kb1: ['10.0.0.2/24'] } })], [['a:ka1', 'b:kb1']]);
    await expect(runBatch([{ id: 'one', world: w(), queries: [] }, { id: 'two', world: w(), queries: [] }], { prefix: 'nfbt' })).rejects.toThrow(/worlds one and two both have an interface named ka1/);
  });
});
