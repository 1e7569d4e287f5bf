import 'reflect-metadata';
import { Command, CommanderError } from 'commander';
import { CliError, ExitCode } from './cli-error';
import { registerCommands } from './commands';

export function buildProgram(): Command {
  const program = new Command('mosaic')
    .description('Mosaic command line: multimodal clinical decision support (NOT FOR CLINICAL USE models).')
    .showHelpAfterError()
    .exitOverride();
  registerCommands(program);
  return program;
}

export async function runCli(argv: string[]): Promise<number> {
  try {
    await buildProgram().parseAsync(argv, { from: 'user' });
    return ExitCode.Success;
  } catch (error) {
    if (error instanceof CommanderError) {
      // --help and --version exit through here with code 0.
      return error.exitCode === 0 ? ExitCode.Success : ExitCode.Usage;
    }
    if (error instanceof CliError) {
      process.stderr.write(`mosaic: ${error.message}\n`);
      return error.exitCode;
    }
    process.stderr.write(`mosaic: ${error instanceof Error ? error.message : String(error)}\n`);
    return ExitCode.Failure;
  }
}

if (
  require.main === module ||
  process.argv[1]?.endsWith('mosaic.js') ||
  process.argv[1]?.endsWith('mosaic')
) {
  void runCli(process.argv.slice(2)).then((code) => {
    process.exitCode = code;
  });
}
