using System.CommandLine;
using IvtGen.Cli;

var root = new RootCommand("ivtgen: IA-64 interruption vector table toolchain (assembler, disassembler, table builder).");
root.Subcommands.Add(AsmCommand.Create());
root.Subcommands.Add(DisasmCommand.Create());
// Checked and explained here, run by the managed companion (BuildCompanion says why).
root.Subcommands.Add(BuildCommandLine.Create((_, _, _, _) => BuildCompanion.Run(args)));
root.Subcommands.Add(VerifyCommand.Create());
root.Subcommands.Add(LinkCommand.Create());
return root.Parse(args).Invoke();
