/** One human line per runtime event worth seeing with `ltobms sim --trace` (pins, states, resets). */
import type { RuntimeEvent } from './board-runtime.js';

/** Simulated time as `1d 02:03:04.567` / `02:03:04.567`. */
export function formatSimTime(t: number): string {
  const ms = Math.round(t * 1000);
  const days = Math.floor(ms / 86_400_000);
  const h = Math.floor(ms / 3_600_000) % 24;
  const m = Math.floor(ms / 60_000) % 60;
  const s = (ms % 60_000) / 1000;
  const clock = `${String(h).padStart(2, '0')}:${String(m).padStart(2, '0')}:${s.toFixed(3).padStart(6, '0')}`;
  return days > 0 ? `${days}d ${clock}` : clock;
}

const SWITCHES: Record<string, (state: string) => string> = {
  PA4: (s) => `main output ${s === 'high' ? 'ON' : 'OFF'}`,
  PA5: (s) => `3.3 V output ${s === 'low' ? 'ON' : 'OFF'}`,
};

const short = (state: string) => state.replace(/^BMS_STATE_/, '');

export function describeRuntimeEvent(event: RuntimeEvent): string | undefined {
  switch (event.type) {
    case 'chip': {
      const e = event.event;
      const at = `sim ${formatSimTime(e.t)}`;
      if (e.type === 'reset') return `${at} reset (${e.cause})`;
      if (e.type === 'pin') {
        const meaning = SWITCHES[e.pin]?.(e.state);
        return `${at} pin ${e.pin} ${e.state}${meaning ? ` (${meaning})` : ''}`;
      }
      if (e.type === 'break') return `${at} CPU stopped at BREAK, pc 0x${e.pc.toString(16)}`;
      if (e.type === 'illegal-opcode') return `${at} illegal opcode 0x${e.opcode.toString(16)} at 0x${e.address.toString(16)}`;
      if (e.type === 'ccp-violation') return `${at} write to CCP-protected ${e.register} without the key`;
      return undefined;
    }
    case 'state':
      return `sim ${formatSimTime(event.t)} state ${event.from ? short(event.from) : '(none)'} -> ${short(event.to)}`;
    case 'parked':
      return event.parked
        ? `sim ${formatSimTime(event.t)} CPU parked: ${event.reason === 'updi' ? 'held in reset by UPDI' : 'flash erased, no firmware'}; simulated time stands still`
        : `sim ${formatSimTime(event.t)} CPU running`;
    case 'switch':
      return undefined;
    case 'line':
      return event.line.frame ? undefined : `sim ${formatSimTime(event.line.t)} uart: ${event.line.text}`;
  }
}
