/**
 * seqlab: sequence models you can look inside. The public API, grouped as `torch` / `torch.nn`.
 */
export * from "./errors.js";
export { Generator, manualSeed } from "./random.js";
export {
  Tensor, tensor, zeros, ones, full, randn, rand, noGrad, isGradEnabled, zeroGrad, MAX_ELEMENTS,
  type DType, type TypedData, type NestedArray, type NumericTypedArray, type TensorOptions, type GradNode,
} from "./tensor.js";
export * from "./ops/index.js";
export { Module, type StateDict, type StateValue, type FactoryOptions } from "./nn/module.js";
export { getBackend, getThreads, ready, setBackend, setThreads, usingWasm, type BackendName } from "./kernels/backend.js";
export { gradcheck, type GradcheckOptions, type GradcheckResult } from "./inspect/gradcheck.js";
export { Linear, linear, type LinearOptions } from "./nn/linear.js";
export { Embedding, embedding, type EmbeddingOptions, type IndexInput } from "./nn/embedding.js";
export { Dropout, type DropoutOptions } from "./nn/dropout.js";
export { Sequential, type TensorModule } from "./nn/sequential.js";
export {
  crossEntropy, mseLoss, CrossEntropyLoss, MSELoss, type Reduction, type CrossEntropyOptions, type MSELossOptions,
} from "./nn/loss.js";
export { Optimizer, type OptimizerOptions, type ParamsInput } from "./optim/optimizer.js";
export { SGD, type SGDOptions, type SGDState } from "./optim/sgd.js";
export { Adam, AdamW, type AdamOptions, type AdamState } from "./optim/adam.js";
export { clipGradNorm, gradNorm } from "./optim/clip.js";
export { assertFinite } from "./optim/finite.js";
export { trainStep, type TrainStepOptions, type TrainStepResult } from "./train/step.js";
export {
  truncatedBptt, timeChunks, detachState, type RecurrentState, type TruncatedBpttOptions,
} from "./train/tbptt.js";
export { load, save, SAVE_FORMATS, type FileSource, type SaveFormat, type SaveOptions } from "./io/index.js";
// exportOnnx is in "seqlab/onnx", as torch.onnx.export is in torch.onnx: it brings onnx-proto
// (CommonJS) along, and "seqlab" stays plain ES modules that a page loads without a bundler.
export * as plot from "./plot/index.js";
export { showResults, RESULTS_MIME_TYPE, type ResultsTable, type ResultsRow, type ResultValue } from "./plot/results.js";
// Each recurrent kind in the file of its name: its equations, step forward and backward, layer and cell.
export { RNN, RNNCell, type RNNOptions, type RNNCellOptions, type Nonlinearity } from "./nn/recurrent/rnn.js";
export { LSTM, LSTMCell, type LSTMOptions } from "./nn/recurrent/lstm.js";
export { GRU, GRUCell, type GRUOptions, type GRUCellOptions, type GRUVariant } from "./nn/recurrent/gru.js";
export { type RecurrentOptions, type RecurrentForwardOptions, type WithTrace, type WithoutTrace } from "./nn/recurrent/layer.js";
export { type CellOptions } from "./nn/recurrent/cell.js";
export {
  gradientNorms,
  type Direction, type TraceEntryBase, type RNNTraceEntry, type LSTMTraceEntry, type GRUTraceEntry,
  type RNNTrace, type LSTMTrace, type GRUTrace, type GradientNorms,
} from "./nn/recurrent/trace.js";
export { tokenize, buildVocab, encode, decode, corpus, splitSentences, oneHot, nextTokenData, type Corpus } from "./data/corpus.js";
export {
  recallTask, longRangeTask, taggingTask, sentimentTask,
  type SequenceTask, type TaggingTask, type TaskOptions, type RecallTaskOptions, type LongRangeTaskOptions, type TaggingTaskOptions, type SentimentTaskOptions,
} from "./data/tasks.js";
export {
  WindowClassifier, RecurrentClassifier, type WindowClassifierOptions, type RecurrentClassifierOptions, type RecurrentKind, type RecurrentTrace,
} from "./nn/classifiers.js";
export { fit, accuracy, evaluate, Trainer, type StepRecord, type FitOptions, type TrainingLog, type Dataset, type Classifier } from "./train/fit.js";
export { Experiment, EXPERIMENT_SEQUENCES, type ExperimentInside } from "./train/experiment.js";
export { windows } from "./train/playground-data.js";
export { defaultPlaygroundState, PLAYGROUND_PARAMS, type PlaygroundState } from "./train/playground-settings.js";
export { answered, check, checkThat, NotAnswered, seal, sealed, WrongAnswer, type Checkable, type CheckOptions, type Sealed } from "./exercise.js";
export { orthogonal_ } from "./nn/init.js";
export { SelfAttention, AttentionClassifier, type SelfAttentionOptions, type AttentionClassifierOptions } from "./nn/attention.js";
