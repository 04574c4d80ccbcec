import type { MethodDefinition } from '../method';
import { hrlfMethod, hrlfWithoutFrf, hrlfWithoutHal, hrlfWithoutHmi } from './method';

export { hrlfConfigSchema, hrlfDefaults, hrlfPresets, type HrlfConfig } from './config';
export { createHrlf, hrlfMethod, hrlfWithoutFrf, hrlfWithoutHal, hrlfWithoutHmi, type HrlfVariant } from './method';
export { teacherCacheKey } from './cache-key';
export { applyMasks, corrupt, drawMsmMasks, presentRows, type MsmMasks } from './msm';

/** HRLF and its three Table 3 ablations. */
export const hrlfMethods: MethodDefinition[] = [hrlfMethod, hrlfWithoutFrf, hrlfWithoutHmi, hrlfWithoutHal];
