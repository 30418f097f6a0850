using System.CommandLine;
using IvtGen.Cli;

// ivtgen-build: the managed half of ivtgen, started by `ivtgen build` with ivtgen's whole command line
// (cli/BuildCompanion.cs says why it is a process of its own).
var root = new RootCommand("ivtgen-build: runs `ivtgen build` (Roslyn and the IvtGen source generator, in-process).");
root.Subcommands.Add(BuildCommandLine.Create(BuildCommand.Run));
return root.Parse(args).Invoke();
