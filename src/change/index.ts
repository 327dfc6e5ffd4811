/** Change scripts: the commands operators type, applied to a loaded world (docs/change-format.md). */
export { parseChangeScript } from './script.js';
export { applyChanges, type ApplyResult } from './apply.js';
export { writeWorld } from './writeWorld.js';
export type { AppliedChange, ChangeCommand, ChangeScript } from './types.js';
