// The layers' former home, kept while src/index.ts imports from here: each layer is now in the
// file of its name (rnn.ts, lstm.ts, gru.ts), what they share in layer.ts.
export { RNN, type RNNOptions } from "./rnn.js";
export { LSTM, type LSTMOptions } from "./lstm.js";
export { GRU, type GRUOptions } from "./gru.js";
export { RecurrentBase, type RecurrentOptions, type RecurrentForwardOptions, type WithTrace, type WithoutTrace } from "./layer.js";
