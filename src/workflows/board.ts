/**
 * The board a workflow works on, as one injected piece: where the programmer talks to it (UPDI)
 * and where its log comes from (UART). A real board sits on serial ports; the virtual board is
 * started by the workflow (after the build, so a failed build starts nothing) and stopped with it.
 * Everything above this seam — build, flash what changed, configure, tail — is the same for both.
 */
import { withProgrammer, type ConnectOptions } from '../updi/connect.js';
import type { Programmer } from '../updi/program.js';
import { simulatedStartNs, SimulatedFrameClock } from '../logging/clock.js';
import { tailPorts, type LogSummary, type TailOptions } from '../logging/session.js';
import type { Scenario } from '../sim/scenario/index.js';
import type { SimSpeed } from '../sim/runtime/pacer.js';
import { startBoardSim } from '../sim/runtime/serve.js';

/** What a user is told about the board (the virtual board's ports and settings). */
export type BoardInfo =
  | { kind: 'port'; updi: string; uart: string | undefined }
  | { kind: 'virtual'; updi: string; uart: string; statePath: string; scenario: string; speed: SimSpeed };

/** A board ready to be programmed and tailed. */
export interface OpenBoard {
  readonly info: BoardInfo;
  /** Where the programmer connects (shown while connecting). */
  readonly updiName: string;
  /** Runs `job` with a programmer connected to the board's UPDI. */
  withProgrammer<T>(options: Omit<ConnectOptions, 'port' | 'transport'>, job: (p: Programmer) => Promise<T>): Promise<T>;
  /** Where the log comes from (shown when the tail starts). */
  readonly uartName: string | undefined;
  /** Tails the board's UART until the signal fires. */
  tail(options: Omit<TailOptions, 'ports'>): Promise<LogSummary>;
  /** Stops what `open` started (a virtual board saves its memories). Never leaves the board half-open. */
  close(): Promise<void>;
}

export interface BoardOpener {
  open(signal: AbortSignal): Promise<OpenBoard>;
}

/** A real board on serial ports: UPDI on `updi`, the UART on `uart` (undefined: nothing to tail). */
export function portBoard(updi: string, uart: string | undefined): BoardOpener {
  const board: OpenBoard = {
    info: { kind: 'port', updi, uart },
    updiName: updi,
    uartName: uart,
    withProgrammer: (options, job) => withProgrammer({ ...options, port: updi }, job),
    tail: (options) => {
      if (uart === undefined) throw new Error('internal: tail without a UART port');
      return tailPorts({ ...options, ports: [uart] });
    },
    close: async () => undefined,
  };
  return { open: async () => board };
}

export interface VirtualBoardOptions {
  /** The board's memories, kept between runs. */
  statePath: string;
  /** UPDI baud rate the virtual target expects. */
  baud: number;
  scenario: Scenario;
  speed: SimSpeed;
}

/**
 * The virtual board: started on open, running whatever its flash holds (like a real board on the
 * bench) until the workflow closes it or the signal fires; its memories are saved on close.
 */
export function virtualBoard(options: VirtualBoardOptions): BoardOpener {
  return {
    async open(signal) {
      // Frames carry the board's simulated clock, starting now (at --speed N it runs N times faster).
      const clock = new SimulatedFrameClock(simulatedStartNs({ nowMs: Date.now() }), () => sim.runtime.time);
      // In-process wires: the programmer and the log tail take the pipes' host ends (no socat, no pty).
      const sim = await startBoardSim({
        wiring: 'pipe',
        statePath: options.statePath,
        baud: options.baud,
        latencyMs: 1,
        scenario: options.scenario,
        speed: options.speed,
        onRuntimeEvent: (e) => {
          if (e.type === 'line' && e.line.frame) clock.noteFrame(e.line.frame, e.line.t);
        },
      });
      const stop = new AbortController();
      const running = sim.run(AbortSignal.any([signal, stop.signal]));
      return {
        info: { kind: 'virtual', updi: sim.updi.name, uart: sim.uart.name, statePath: options.statePath, scenario: options.scenario.name, speed: options.speed },
        updiName: sim.updi.name,
        uartName: sim.uart.name,
        withProgrammer: (connect, job) => withProgrammer({ ...connect, port: sim.updi.name, transport: sim.updi.connect() }, job),
        tail: (tail) => tailPorts({ ...tail, ports: [sim.uart.name], openPort: async () => sim.uart.connect(), clock }),
        async close() {
          stop.abort();
          try {
            await running;
          } finally {
            await sim.close();
          }
        },
      };
    },
  };
}
