namespace PSContainers.Runtime.Seccomp;

/// <summary>Builds a classic BPF program with symbolic forward jumps and lays it out, turning jumps too far for 8 bits into JA.</summary>
/// <remarks>
/// A conditional jump reaches at most 255 instructions ahead; a large profile's search tree and rule blocks go
/// further than that. Layout starts with every jump short and widens the ones that do not fit into
/// "jcc 0,1; ja true; ja false" (a JA takes a 32-bit offset), repeating until nothing changes: widening only ever
/// moves targets further away, so this ends.
/// </remarks>
internal sealed class BpfAssembler
{
    /// <summary>A jump target meaning the instruction right after this one.</summary>
    public const int Next = -1;

    private enum Kind { Statement, Conditional, Jump, Label }

    private struct Node
    {
        public Kind Kind;
        public ushort Code;
        public uint K;
        public int True, False, Label;
        public bool Wide;
    }

    private readonly List<Node> _nodes = new();
    private int _labels;

    public int NewLabel() => _labels++;

    public void Mark(int label) => _nodes.Add(new Node { Kind = Kind.Label, Label = label });

    public void Statement(ushort code, uint k) => _nodes.Add(new Node { Kind = Kind.Statement, Code = code, K = k });

    public void Load(uint offset) => Statement(Bpf.LdAbsW, offset);

    public void Return(uint value) => Statement(Bpf.RetK, value);

    public void JumpTo(int label) => _nodes.Add(new Node { Kind = Kind.Jump, True = label });

    public void Branch(ushort code, uint k, int whenTrue, int whenFalse) =>
        _nodes.Add(new Node { Kind = Kind.Conditional, Code = code, K = k, True = whenTrue, False = whenFalse });

    public SockFilter[] Assemble()
    {
        var nodes = _nodes.ToArray();
        var position = new int[nodes.Length];
        var labelAt = new int[_labels];
        Array.Fill(labelAt, -1);
        for (var round = 0; ; round++)
        {
            if (round > nodes.Length + 1)
            {
                throw new InvalidOperationException("BPF layout did not settle");
            }

            var at = 0;
            for (var i = 0; i < nodes.Length; i++)
            {
                position[i] = at;
                at += Size(nodes[i]);
                if (nodes[i].Kind == Kind.Label)
                {
                    labelAt[nodes[i].Label] = position[i];
                }
            }

            var changed = false;
            for (var i = 0; i < nodes.Length; i++)
            {
                if (nodes[i].Kind != Kind.Conditional || nodes[i].Wide)
                {
                    continue;
                }

                var from = position[i] + 1;
                if (Target(nodes[i].True, from, labelAt) - from > byte.MaxValue || Target(nodes[i].False, from, labelAt) - from > byte.MaxValue)
                {
                    nodes[i].Wide = true;
                    changed = true;
                }
            }

            if (!changed)
            {
                break;
            }
        }

        var program = new List<SockFilter>();
        for (var i = 0; i < nodes.Length; i++)
        {
            var n = nodes[i];
            var after = position[i] + Size(n);
            switch (n.Kind)
            {
                case Kind.Statement:
                    program.Add(new SockFilter(n.Code, 0, 0, n.K));
                    break;
                case Kind.Jump:
                    program.Add(new SockFilter(Bpf.Ja, 0, 0, (uint)Offset(n.True, after, after, labelAt)));
                    break;
                case Kind.Conditional when !n.Wide:
                    program.Add(new SockFilter(n.Code, (byte)Offset(n.True, after, after, labelAt), (byte)Offset(n.False, after, after, labelAt), n.K));
                    break;
                case Kind.Conditional:
                    program.Add(new SockFilter(n.Code, 0, 1, n.K));
                    program.Add(new SockFilter(Bpf.Ja, 0, 0, (uint)Offset(n.True, position[i] + 2, after, labelAt)));
                    program.Add(new SockFilter(Bpf.Ja, 0, 0, (uint)Offset(n.False, position[i] + 3, after, labelAt)));
                    break;
            }
        }

        return program.ToArray();
    }

    private static int Size(Node n) => n.Kind switch
    {
        Kind.Label => 0,
        Kind.Conditional when n.Wide => 3,
        _ => 1,
    };

    private static int Target(int label, int next, int[] labelAt) =>
        label == Next ? next : labelAt[label] >= 0 ? labelAt[label] : throw new InvalidOperationException($"BPF label {label} is never placed");

    // Offsets count from the instruction after the jump; "Next" means after the whole (possibly widened) node.
    private static int Offset(int label, int from, int nodeEnd, int[] labelAt)
    {
        var offset = Target(label, nodeEnd, labelAt) - from;
        return offset >= 0 ? offset : throw new InvalidOperationException("BPF jumps only forward");
    }
}
