// The cells' former home, kept while src/index.ts imports from here: each cell is now in the
// file of its layer (rnn.ts, lstm.ts, gru.ts), what they share in cell.ts.
export { RNNCell, type RNNCellOptions } from "./rnn.js";
export { LSTMCell } from "./lstm.js";
export { GRUCell, type GRUCellOptions } from "./gru.js";
export { CellBase, type CellOptions } from "./cell.js";
