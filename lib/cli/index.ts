// The `churn` command line: a file per command group, each a thin shell over the library that loads its modules only
// when the command runs. Usage errors (unknown options, bad values) exit 2, like every other bad input.
import { Command, CommanderError } from "commander";
import { registerClean } from "./clean";
import { registerData } from "./data";
import { registerExport } from "./export";
import { registerMonitor } from "./monitor";
import { registerServe } from "./serve";
import { type Out, UsageError, projectVersion } from "./shared";
import { registerTrain } from "./train";

export { DEFAULT_OUT_DIR, DEFAULT_RAW_DIR, UsageError, defaultDataFile, projectVersion } from "./shared";

export function buildProgram(out: Out = (l) => console.log(l)): Command {
  const program = new Command("churn")
    .description("Customer-churn pipeline on the IBM Telco data: verify, clean, train, study, evaluate, serve, score, monitor and export.")
    .version(projectVersion(), "-V, --version", "print the project's version")
    .showHelpAfterError()
    .configureOutput({ writeOut: (s) => process.stdout.write(s), writeErr: (s) => process.stderr.write(s) });
  registerData(program, out);
  registerClean(program, out);
  registerTrain(program, out);
  registerMonitor(program, out);
  registerServe(program, out);
  registerExport(program, out);
  return program;
}

/** Runs the CLI; a usage error has already been printed by commander and becomes a UsageError (exit code 2). */
export async function main(argv: readonly string[]): Promise<void> {
  const program = buildProgram().exitOverride();
  for (const command of program.commands) command.exitOverride();
  try {
    await program.parseAsync([...argv]);
  } catch (err) {
    if (err instanceof CommanderError) {
      if (err.exitCode === 0) return; // --help, --version
      throw Object.assign(new UsageError(err.message), { printed: true });
    }
    throw err;
  }
}
