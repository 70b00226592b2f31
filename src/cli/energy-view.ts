/**
 * The human view of an energy report (src/sim/runtime/energy.ts): a handful of aligned lines. `--json`
 * prints the report object itself.
 */
import type { EnergyReport, StateName } from '../sim/runtime/energy.js';

/** 1d 04:31 / 04:31:07 — minutes are what frames resolve. */
function when(t: number): string {
  const s = Math.round(t);
  const d = Math.floor(s / 86_400);
  const hh = String(Math.floor(s / 3600) % 24).padStart(2, '0');
  const mm = String(Math.floor(s / 60) % 60).padStart(2, '0');
  const ss = String(s % 60).padStart(2, '0');
  return d > 0 ? `${d}d ${hh}:${mm}` : `${hh}:${mm}:${ss}`;
}

/** A duration: 2d 3h, 5h 12m, 7m 30s. */
function span(seconds: number): string {
  const s = Math.round(seconds);
  if (s >= 86_400) return `${Math.floor(s / 86_400)}d ${Math.floor(s / 3600) % 24}h`;
  if (s >= 3600) return `${Math.floor(s / 3600)}h ${Math.floor(s / 60) % 60}m`;
  return `${Math.floor(s / 60)}m ${s % 60}s`;
}

const ORDER: StateName[] = ['DISCHARGING', 'CHARGING', 'IDLE', 'UVLO', 'OVLO', 'OCLO', 'INVALID', 'ERR'];

export function energyReportLines(r: EnergyReport): string[] {
  const total = Object.values(r.states).reduce((a, b) => a + (b ?? 0), 0) || 1;
  const states = ORDER.filter((s) => r.states[s]).map((s) => `${s} ${span(r.states[s]!)} (${((100 * r.states[s]!) / total).toFixed(1)} %)`);
  const entered = r.protection.filter((e) => e.change === 'entered');
  const events = r.protection.map((e) => `${e.state} ${e.change} ${when(e.t)} (after ${when(e.since)})`);
  const shown = events.length > 12 ? [...events.slice(0, 6), `… ${events.length - 12} more …`, ...events.slice(-6)] : events;
  const m = r.mcu;
  const mcuTotal = Object.values(m.seconds).reduce((a, b) => a + b, 0) || 1;
  const pct = (s: number) => `${((100 * s) / mcuTotal).toFixed(2)} %`;
  const mv = (v: number) => `${(v * 1000).toFixed(0)} mV`;
  return [
    `energy report: ${span(r.simulatedSeconds)} simulated, ${r.chemistry}, "${r.scenario}" (${r.frames} frames)`,
    `  states       ${states.join(', ') || 'no frames'}`,
    `  protection   ${entered.length ? `${entered.length} entered (UVLO ${entered.filter((e) => e.state === 'UVLO').length}, OVLO ${entered.filter((e) => e.state === 'OVLO').length}, OCLO ${entered.filter((e) => e.state === 'OCLO').length})` : 'none'}`,
    ...shown.map((e) => `               ${e}`),
    `  cell         min ${mv(r.cell.minVolts)} at ${when(r.cell.minAt)}, max ${mv(r.cell.maxVolts)} at ${when(r.cell.maxAt)}; ` +
      `charge ${(100 * r.cell.startSoc).toFixed(0)} % → ${(100 * r.cell.endSoc).toFixed(0)} %`,
    `  through      in ${r.charge.inMah.toFixed(1)} mAh / ${(r.energy.inMwh / 1000).toFixed(2)} Wh, out ${r.charge.outMah.toFixed(1)} mAh / ${(r.energy.outMwh / 1000).toFixed(2)} Wh (shunt)`,
    `  MCU          ${m.averageMicroamps.toFixed(2)} µA average, ${m.chargeMah >= 1 ? `${m.chargeMah.toFixed(2)} mAh` : `${(m.chargeMah * 1000).toFixed(1)} µAh`} in all (active ${pct(m.seconds.active)}, IDLE ${pct(m.seconds.idle)}, STANDBY ${pct(m.seconds.standby)})`,
  ];
}
