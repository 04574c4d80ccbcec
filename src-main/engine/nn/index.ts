import './gradients';
import './gradients-recurrent';
export { Adam, type AdamOptions } from './adam';
export { MultiHeadSelfAttention } from './attention';
export {
  AttentionLstmDecoder,
  type AttentionDecoderCall,
  type AttentionDecoderOptions,
  type AttentionDecoderOutput,
} from './attention-decoder';
export { AttentionPooling, type AttentionPoolingOptions, type PooledOutput } from './attention-pooling';
export { EVAL, trainCtx, type ForwardCtx } from './context';
export { Conv1dK3 } from './conv1d';
export { dropout, dropoutMask, dropoutMaskTensor } from './dropout';
export { constantVariable, torchDefaultBound, uniformVariable } from './init';
export { LayerNorm } from './layer-norm';
export { Linear, type Activation, type LinearOptions } from './linear';
export { linearOp } from './linear-op';
export { maskedSoftmax, weightedSum } from './masked-softmax';
export { Mlp } from './mlp';
export { disposeModule, scoped, variablesOf, type Module, type NamedVariable } from './module';
export { positionalEncoding, sinusoidalTable } from './positional';
export {
  Gru,
  Lstm,
  type DirectionMerge,
  type LstmCall,
  type LstmOutput,
  type RecurrentCall,
  type RecurrentOptions,
  type RecurrentOutput,
} from './recurrent';
export { tanhViaSigmoid } from './sigmoid-tanh';
export { stopGradient } from './stop-gradient';
export { EncoderLayer, TransformerEncoder, type EncoderOptions } from './transformer';
export { tuneWasmKernels } from './wasm-kernels';
