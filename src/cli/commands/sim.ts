/**
 * `ltobms sim`: its options and help. The action is src/commands/sim.ts, imported when the command
 * runs, so listing and parsing commands loads none of their dependencies.
 */
import type { Command } from 'commander';
import { lazyAction } from '../run.js';
import { SERIAL_NUMBER_SIZE } from '../../sim/nvm/memories.js';

export function declare(cmd: Command): void {
  cmd
    .description(
      'Serve a virtual ATtiny824 on a pseudo-terminal, as UPDI programmers see it through a USB-serial ' +
        'adapter: flash, EEPROM, fuses, lock bits, user row, signature row, SIB, keys and an NVM ' +
        'controller with the real page-buffer rules. The emulated chip runs whatever the flash holds ' +
        '(programming holds it in reset) against a cell/load/charger scenario, and its UART comes out of a ' +
        'second pseudo-terminal. Prints "updi: <path>" and "uart: <path>" as the first two lines, then runs ' +
        'until the scenario ends (exit 0) or it is interrupted (Ctrl-C or SIGTERM saves the state and exits).',
    )
    .option('--state <file>', 'keep the memories in this JSON file: loaded if it exists, saved after every programming session and on exit')
    .option('--baud <n>', 'pace the wire at this baud rate, 12 bits per byte (0 = no pacing)', '115200')
    .option('--adapter <name>', 'USB-serial adapter model: ftdi (16 ms latency timer), ftdi-1ms, ch340, cp210x, ideal (see docs/adapters.md)')
    .option('--latency-ms <n>', "USB adapter latency timer for bytes going to the host (0 = off; default: the --adapter's, else 1)")
    .option('--faults <spec>', 'inject faults per byte: drop=P,corrupt=P,delay=P[,delayms=N][,seed=N]')
    .option('--serial <hex>', `serial number / unique ID in the signature row (${SERIAL_NUMBER_SIZE} bytes, ${SERIAL_NUMBER_SIZE * 2} hex digits)`)
    .option('--link <path>', 'also create this symlink to the pseudo-terminal (and print it instead)')
    .option('--json', 'after the first two lines, print one JSON object per event (session, key, reset, save...)')
    .option('--firmware <file>', 'put this image (.hex or .elf from ltobms build; `prebuilt`: the release image shipped with ltobms, no avr-gcc needed) into flash first, with the fuses of firmware/fuses.hex')
    .option('--eeprom', 'also load the EEPROM section of the --firmware image')
    .option('--chemistry <LTO|NAION>', "cell chemistry of the board model (default: the scenario's, else LTO)")
    .option('--scenario <file>', 'scenario (YAML or JSON, see docs/scenarios.md): cell, load, charger, duration; default: a half-full cell with a 20 mA load, no end')
    .option('--speed <1|N|max>', 'simulated time per wall time: 1 real time, N times faster, or max', '1')
    .option('--trace', 'print pin changes, firmware state changes and resets on stderr')
    .option('--uart-link <path>', 'also create this symlink to the UART pseudo-terminal (and print it instead)')
    .option('--fixture <n>', 'a programming fixture instead: n blank boards with distinct unique IDs, one after another; a board leaves once a session wrote its EEPROM (SIGUSR1: by hand)')
    .option('--state-dir <dir>', 'with --fixture: keep each board\'s memories in <dir>/<uid>.json (the --state format), saved after every session')
    .option('--board-errors <random[:seed]>', 'component tolerances of a plausible board (reference ±1.5 %, dividers and shunt ±1 %, ADC offset ±2 LSB, temperature ±3 K) instead of the scenario\'s board.errors; printed with the seed that gives them again')
    .option('--report', 'when the run stops, print an energy report: time per state, UVLO/OVLO/OCLO events, cell voltage range, charge in and out, MCU current')
    .addHelpText(
      'after',
      `
The pseudo-terminal carries no baud rate or BREAK: the target paces bytes at --baud itself,
and treats a 0x00 received while it waits for SYNCH as a BREAK (programmers send 0x00 at
300 baud for one). The state file holds every memory as hex strings; delete it for a
factory-fresh part (erased, default fuses, unlocked).

Examples:
  $ ltobms sim --state board.json
  $ ltobms sim --link /tmp/ttyUPDI --serial 30413741343200000007 &
  $ avrdude -c serialupdi -p t824 -P /tmp/ttyUPDI -U flash:w:main.hex:i
  $ ltobms sim --baud 0 --latency-ms 0                        fastest: no wire model
  $ ltobms sim --adapter ftdi                                 an FTDI adapter at its default 16 ms latency timer
  $ ltobms sim --faults drop=0.001,corrupt=0.001,seed=7       robustness testing
  $ ltobms sim --firmware build/main-LTO-dev.elf --eeprom --speed 60 --trace
  $ ltobms sim --scenario examples/scenarios/discharge-uvlo.yaml --speed max   then flash it; ltobms log <uart>
  $ ltobms sim --fixture 20 --state-dir boards/ --link /tmp/ttyJIG &           rehearse a line:
  $ ltobms manufacture --firmware main.hex --start-sn 1 -P /tmp/ttyJIG --yes --count 20
  $ ltobms sim --firmware build/main-LTO-dev.hex --eeprom --scenario examples/scenarios/winter-30d.yaml --speed max --report
  $ ltobms sim --firmware prebuilt --eeprom --board-errors random:7    a board that reads its cell a little wrong (ltobms calibrate)

Simulated time runs only while firmware runs (not while held by a programmer, not with an erased
flash), so a scenario starts when the firmware first starts.`,
    )
    .action(lazyAction(async () => (await import('../../commands/sim.js')).execute));
}
