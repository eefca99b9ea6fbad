// What each playground task and model learns at the playground's default settings (200 Adam
// steps, H = 16, lr 0.01, batch 64, seed 0): test accuracy, against always guessing the most
// frequent class. `npm run bench:learned`; the table goes in the README's playground section.
// Not a speed measurement: the numbers are the same on any machine (seeded, same kernels).
import { Experiment } from "../dist/index.js";
import { playgroundSummary } from "../dist/plot/playground-kit.js";
import { PLAYGROUND_TASKS } from "../dist/plot/schema-entry.js";

const models = [
  { cell: "feedforward" }, { cell: "rnn" }, { cell: "rnn", nonlinearity: "relu" }, { cell: "lstm" }, { cell: "lstm", forgetBias: 1 },
  { cell: "gru" }, { cell: "gru", resetPosition: "before", updateConvention: "textbook" }, { cell: "lstm", bidirectional: true }, { cell: "lstm", numLayers: 2 },
];
const rows = [];
for (const task of PLAYGROUND_TASKS) {
  const cells = [];
  let chance = NaN;
  for (const m of models) {
    const run = await Experiment.create({ task, ...m });
    while (!run.done) run.advance();
    chance = run.chance;
    cells.push(run.testAccuracy().toFixed(3));
  }
  rows.push(`| ${playgroundSummary(new Experiment({ task }).state).task} | ${chance.toFixed(3)} | ${cells.join(" | ")} |`);
}
const header = models.map((m) => playgroundSummary(new Experiment(m).state).model);
console.log(`| task | chance | ${header.join(" | ")} |`);
console.log(`|---|---|${header.map(() => "---").join("|")}|`);
for (const r of rows) console.log(r);
