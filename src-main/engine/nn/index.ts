import './gradients';
import './gradients-fused';
import './gradients-graph';
import './gradients-losses';
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
export { clipGradNorm } from './clip-grad';
export { EVAL, trainCtx, type ForwardCtx } from './context';
export { Conv1d, Conv1dK3, type Conv1dOptions, type Conv1dPadding, type ConvEpilogue } from './conv1d';
export {
  CrossModalLayer,
  CrossModalTransformer,
  type CrossModalLayerOptions,
  type CrossModalOptions,
  type CrossModalSource,
} from './cross-modal';
export { DecoderLayer, TransformerDecoder, type DecoderMasks, type DecoderOptions } from './decoder';
export { dropout, dropoutMask, dropoutMaskTensor } from './dropout';
export { hasFusedKernel, useFusedKernels } from './fused/host';
export { gelu } from './gelu';
export { GraphConv, RelationalGraphConv, type RelationalGraphConvOptions } from './graph-conv';
export { constantVariable, orthogonalMatrix, orthogonalWeight, torchDefaultBound, uniformVariable } from './init';
export { LayerNorm } from './layer-norm';
export { Linear, type Activation, type LinearOptions } from './linear';
export { linearOp } from './linear-op';
export { maskedSoftmax, weightedSum } from './masked-softmax';
export { ModalityEncoder, modalityEncoders, type ModalityEncoderOptions } from './modality-encoder';
export { Mlp } from './mlp';
export {
  MlpMixingBlock,
  MlpMixingEncoder,
  parseLkdTriples,
  type Lkd,
  type MixingActivation,
  type MlpMixingOptions,
  type MlpMixingStage,
} from './mlp-mixing';
export {
  causalMask,
  MultiHeadAttention,
  type AttentionInit,
  type AttentionMasks,
  type MultiHeadAttentionOptions,
} from './multi-head-attention';
export { disposeModule, scoped, variablesOf, type Module, type NamedVariable } from './module';
export { multPositionalEmbedding, multSinusoidalTable, positionalEncoding, sinusoidalTable } from './positional';
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
export { cosineEmbeddingLoss, cosineMatrix, cosineSimilarity, dmdHingeLoss, normalizeRows } from './similarity';
export { stopGradient } from './stop-gradient';
export { TEMPORAL_RELATIONS, temporalWindowGraph, type TemporalGraph, type TemporalWindowOptions } from './temporal-graph';
export { EncoderLayer, TransformerEncoder, type EncoderOptions } from './transformer';
export { tuneWasmKernels } from './wasm-kernels';
