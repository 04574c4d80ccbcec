/** A safe pickle reader: protocols 0–5, numpy arrays, a whitelist of globals, streaming from disk. */
export { PickleError, type PickleErrorCode } from './errors';
export { unpickle, type UnpickleOptions, type UnpickleResult } from './unpickler';
export { FileSource, BufferSource, type ByteSource } from './source';
export { NDArray, NpDtype, type ArrayStorage } from './numpy';
export type { NumericData } from './elements';
export { PyTuple, PySet, PyGlobal, type PyValue, type PyDict, type PyKey } from './values';
export { typeName } from './typename';
export { WHITELISTED_GLOBALS } from './globals';
