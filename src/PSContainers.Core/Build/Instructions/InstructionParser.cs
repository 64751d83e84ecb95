using PSContainers.Core.Build.Parser;

namespace PSContainers.Core.Build.Instructions;

/// <summary>Nodes to typed instructions and stages; unknown instructions and flags are errors that name them.</summary>
public static class InstructionParser
{
    public static DockerfileModel Parse(DockerfileAst ast) => throw new NotImplementedException();

    public static Instruction ParseInstruction(DockerfileNode node, string fileName, char escapeToken = '\\') => throw new NotImplementedException();
}
