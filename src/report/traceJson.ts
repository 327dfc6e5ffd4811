/** Stable JSON for outcomes (documented in docs/json-format.md). Keys are emitted in a fixed order. */
import type { Outcome } from '../engine/types.js';

export const JSON_FORMAT_VERSION = 1;

function sortKeys(v: unknown): unknown {
  if (Array.isArray(v)) return v.map(sortKeys);
  if (v && typeof v === 'object') {
    const o: Record<string, unknown> = {};
    for (const k of Object.keys(v as object).sort()) {
      const x = (v as Record<string, unknown>)[k];
      if (x !== undefined) o[k] = sortKeys(x);
    }
    return o;
  }
  return v;
}

export function outcomesJson(packet: string, outcomes: Outcome[], truncated = false): unknown {
  return sortKeys({ format: 'nfsim-trace', version: JSON_FORMAT_VERSION, packet, truncated, outcomes });
}

export function stableStringify(v: unknown): string {
  return JSON.stringify(sortKeys(v), null, 2);
}
