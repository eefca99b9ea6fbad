/**
 * Gate saturation (plot kind "saturation"), after Karpathy, Johnson & Fei-Fei (2015), fig. 3:
 * for every unit of a gate, the fraction of steps it spent left-saturated (below the low
 * threshold) and right-saturated (above the high one).
 */
import { checkString, LIMITS, type Json } from "./common.js";
import { checkNumber, checkNumbers, checkObjects, checkOneOf } from "./checks.js";

export interface SaturationGate {
  key: string;
  /** e.g. "forget gate f". */
  label: string;
  /** left[u]: fraction of steps unit u was below threshold[0]; null when it had no finite value. */
  left: (number | null)[];
  /** right[u]: fraction of steps unit u was above threshold[1]. */
  right: (number | null)[];
}

export interface SaturationEntry {
  layer: number;
  direction: "forward" | "reverse";
  gates: SaturationGate[];
}

export interface SaturationPlot {
  version: 1;
  kind: "saturation";
  title: string;
  cell: "lstm" | "gru";
  /** [low, high]: a gate value below low is left-saturated, above high right-saturated. */
  threshold: [number, number];
  /** How many gate values (steps × sequences) each fraction is over. */
  samples: number;
  units: number;
  entries: SaturationEntry[];
}

const FRACTION = { nullable: true, min: 0, max: 1 } as const;

export function validateSaturation(p: Record<string, Json>, errors: string[]): void {
  checkOneOf(p, "cell", ["lstm", "gru"], errors);
  if (checkNumbers(p.threshold, 2, "threshold", errors, { min: 0, max: 1 })) {
    const [low, high] = p.threshold as number[];
    if (low! > high!) errors.push(`threshold must be [low, high] with low ≤ high, got [${low}, ${high}]`);
  }
  checkNumber(p, "samples", errors, "", { integer: true, min: 0 });
  if (!checkNumber(p, "units", errors, "", { integer: true, min: 0, max: LIMITS.maxUnits })) return;
  const units = p.units as number;
  checkObjects(p.entries, "entries", LIMITS.maxEntries, errors)?.forEach((entry, e) => {
    const where = `entries[${e}].`;
    checkNumber(entry, "layer", errors, where, { integer: true, min: 0 });
    checkOneOf(entry, "direction", ["forward", "reverse"], errors, where);
    checkObjects(entry.gates, `${where}gates`, 4, errors)?.forEach((gate, g) => {
      const gw = `${where}gates[${g}].`;
      checkString(gate, "key", errors, gw);
      checkString(gate, "label", errors, gw);
      checkNumbers(gate.left, units, `${gw}left`, errors, FRACTION);
      checkNumbers(gate.right, units, `${gw}right`, errors, FRACTION);
    });
  });
}
