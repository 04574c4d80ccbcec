export { ADAM, type AdamAttrs } from './adam-kernel';
export { LAST_QUERY_ATTENTION, LAST_QUERY_ATTENTION_GRAD, SELF_ATTENTION, SELF_ATTENTION_GRAD, type AttentionAttrs } from './attention-kernel';
export { CONV_TAPS, CONV_TAPS_GRAD, type ConvTapsAttrs } from './conv-taps-kernel';
export { DROPOUT } from './dropout-kernel';
export { hasFusedKernel, runKernel, useFusedKernels } from './host';
export { LAYER_NORM, LAYER_NORM_GRAD } from './layer-norm-kernel';
