using System.Diagnostics;
using System.Runtime.CompilerServices;
using System.Security.Cryptography;

namespace PSContainers.Tests.Fuzz;

/// <summary>
/// A small coverage-blind fuzzer of our own: a fixed seed corpus, then mutations of it (bit flips, interesting bytes and
/// integers, truncation, splices, repeated chunks, dictionary tokens) from a fixed random seed, for a time budget.
/// </summary>
/// <remarks>
/// The property checked for every input: the target returns or throws one of its documented error types; it finishes
/// within the per-input timeout (a hang fails the test instead of stalling it); it allocates less than the memory cap.
/// PSC_FUZZ_SECONDS sets the budget per target (default 10 s, so CI stays short; set 600 for a long run), PSC_FUZZ_SEED
/// another random seed. A failing input is written to a crashes directory named in the failure, to be kept in the
/// target's corpus once fixed (regression inputs are replayed first on every run).
/// This file is also compiled into PSContainers.Runtime.Tests.
/// </remarks>
public sealed class FuzzRunner
{
    private static readonly byte[] InterestingBytes = [0x00, 0x01, 0x7f, 0x80, 0xff, (byte)'\n', (byte)'"', (byte)'\\', (byte)'{', (byte)'[', (byte)'0', (byte)'-'];

    private static readonly string[] InterestingNumbers =
    [
        "0", "-1", "1", "127", "128", "255", "256", "-2147483648", "2147483647", "4294967295", "4294967296", "9223372036854775807",
        "-9223372036854775808", "18446744073709551615", "1e309", "-0", "0.0000001", "077777777777", "NaN",
    ];

    public required string Name { get; init; }

    /// <summary>The seed inputs, regression inputs included.</summary>
    public required IReadOnlyList<byte[]> Corpus { get; init; }

    /// <summary>Runs one input; returns normally or throws.</summary>
    public required Action<byte[]> Target { get; init; }

    /// <summary>The documented error types: an exception for which this says true is a refusal, not a crash.</summary>
    public required Func<Exception, bool> IsDocumentedError { get; init; }

    /// <summary>Tokens of the input's language, spliced in at random (JSON keys, Dockerfile words, tar magic).</summary>
    public IReadOnlyList<string> Dictionary { get; init; } = [];

    public int MaxInputBytes { get; init; } = 64 * 1024;

    public long MaxAllocatedBytesPerInput { get; init; } = 256L * 1024 * 1024;

    public TimeSpan InputTimeout { get; init; } = TimeSpan.FromSeconds(20);

    public static TimeSpan Budget =>
        TimeSpan.FromSeconds(int.TryParse(Environment.GetEnvironmentVariable("PSC_FUZZ_SECONDS"), out var s) && s > 0 ? s : 10);

    private static int RandomSeed => int.TryParse(Environment.GetEnvironmentVariable("PSC_FUZZ_SEED"), out var s) ? s : 20261203;

    /// <summary>Inputs run, and the first failure (null when none).</summary>
    public (int Inputs, string? Failure) Run()
    {
        var random = new Random(RandomSeed ^ Name.GetHashCode(StringComparison.Ordinal) ^ 0x5bd1e995);
        var stopwatch = Stopwatch.StartNew();
        var budget = Budget;
        var inputs = 0;
        using var worker = new Worker(this);
        foreach (var seed in Corpus)
        {
            inputs++;
            if (worker.Execute(seed) is { } failure)
            {
                return (inputs, Report(seed, failure));
            }
        }

        // Every loop is bounded: by the time budget and, for a quick machine, by a count.
        while (stopwatch.Elapsed < budget && inputs < 5_000_000)
        {
            var input = Mutate(Corpus[random.Next(Corpus.Count)], random);
            inputs++;
            if (worker.Execute(input) is { } failure)
            {
                return (inputs, Report(input, failure));
            }
        }

        return (inputs, null);
    }

    private string Report(byte[] input, string failure)
    {
        var dir = Path.Combine(Path.GetTempPath(), "psc-fuzz-crashes", Name);
        Directory.CreateDirectory(dir);
        var file = Path.Combine(dir, Convert.ToHexStringLower(SHA256.HashData(input))[..16] + ".bin");
        File.WriteAllBytes(file, input);
        var shown = input.Length <= 2048 ? $" Input (base64): {Convert.ToBase64String(input)}" : "";
        return $"{Name}: {failure} The input is saved as {file}.{shown}";
    }

    /// <summary>One to four stacked mutations of a corpus entry.</summary>
    public byte[] Mutate(byte[] original, Random random)
    {
        var data = new List<byte>(original);
        for (var n = random.Next(1, 5); n > 0; n--)
        {
            var at = data.Count == 0 ? 0 : random.Next(data.Count);
            switch (random.Next(9))
            {
                case 0 when data.Count > 0:
                    data[at] ^= (byte)(1 << random.Next(8));
                    break;
                case 1 when data.Count > 0:
                    data[at] = InterestingBytes[random.Next(InterestingBytes.Length)];
                    break;
                case 2 when data.Count > 0:
                    data.RemoveRange(at, data.Count - at);
                    break;
                case 3:
                    var other = Corpus[random.Next(Corpus.Count)];
                    if (other.Length > 0)
                    {
                        var from = random.Next(other.Length);
                        var length = random.Next(1, Math.Min(other.Length - from, 512) + 1);
                        data.InsertRange(at, other.AsSpan(from, length).ToArray());
                    }

                    break;
                case 4 when data.Count > 0:
                    var start = random.Next(data.Count);
                    var chunk = data.GetRange(start, random.Next(1, Math.Min(data.Count - start, 64) + 1));
                    for (var r = random.Next(1, 64); r > 0 && data.Count < MaxInputBytes; r--)
                    {
                        data.InsertRange(at, chunk);
                    }

                    break;
                case 5:
                    ReplaceNumber(data, at, InterestingNumbers[random.Next(InterestingNumbers.Length)]);
                    break;
                case 6 when Dictionary.Count > 0:
                    data.InsertRange(at, System.Text.Encoding.UTF8.GetBytes(Dictionary[random.Next(Dictionary.Count)]));
                    break;
                case 7 when data.Count > 0:
                    data.RemoveRange(at, Math.Min(random.Next(1, 16), data.Count - at));
                    break;
                default:
                    if (data.Count >= 4)
                    {
                        // A binary little- or big-endian interesting integer over whatever was there (tar size fields, lengths).
                        var value = random.Next(4) switch { 0 => uint.MaxValue, 1 => 0x80000000u, 2 => 0x7fffffffu, _ => 0u };
                        var pos = random.Next(data.Count - 3);
                        for (var b = 0; b < 4; b++)
                        {
                            data[pos + b] = (byte)(value >> (8 * b));
                        }
                    }

                    break;
            }
        }

        return data.Count > MaxInputBytes ? data.GetRange(0, MaxInputBytes).ToArray() : data.ToArray();
    }

    /// <summary>Replaces the decimal number nearest to at with text (or inserts text when there is none).</summary>
    private static void ReplaceNumber(List<byte> data, int at, string text)
    {
        var bytes = System.Text.Encoding.ASCII.GetBytes(text);
        var start = at;
        while (start < data.Count && !char.IsAsciiDigit((char)data[start]))
        {
            start++;
        }

        if (start == data.Count)
        {
            data.InsertRange(Math.Min(at, data.Count), bytes);
            return;
        }

        var end = start;
        while (end < data.Count && char.IsAsciiDigit((char)data[end]))
        {
            end++;
        }

        data.RemoveRange(start, end - start);
        data.InsertRange(start, bytes);
    }

    /// <summary>The directory of a target's corpus files in the source tree.</summary>
    public static string CorpusDirectory(string target, [CallerFilePath] string source = "") =>
        Path.Combine(Path.GetDirectoryName(source)!, "corpus", target);

    /// <summary>Every file of a target's corpus directory (seeds and regression inputs), in a stable order.</summary>
    public static List<byte[]> LoadCorpus(string target, [CallerFilePath] string source = "")
    {
        var dir = CorpusDirectory(target, source);
        return Directory.Exists(dir)
            ? Directory.GetFiles(dir).Order(StringComparer.Ordinal).Select(File.ReadAllBytes).ToList()
            : [];
    }

    /// <summary>Runs inputs on one thread of its own so that a hang can be detected, and measures what each allocates.</summary>
    private sealed class Worker : IDisposable
    {
        private readonly FuzzRunner _runner;
        private readonly Thread _thread;
        private readonly SemaphoreSlim _ready = new(0);
        private readonly SemaphoreSlim _done = new(0);
        private byte[]? _input;
        private string? _failure;
        private bool _stop;

        public Worker(FuzzRunner runner)
        {
            _runner = runner;
            // A deep JSON or Dockerfile nesting must not overflow a small default stack before the parser's own limits act.
            _thread = new Thread(Loop, 16 * 1024 * 1024) { IsBackground = true, Name = "fuzz " + runner.Name };
            _thread.Start();
        }

        public string? Execute(byte[] input)
        {
            _input = input;
            _failure = null;
            _ready.Release();
            if (!_done.Wait(_runner.InputTimeout))
            {
                // The worker is stuck in the target: it is a background thread and goes with the test process.
                return $"the input did not finish within {_runner.InputTimeout.TotalSeconds} s (a hang).";
            }

            return _failure;
        }

        private void Loop()
        {
            while (true)
            {
                _ready.Wait();
                if (_stop)
                {
                    return;
                }

                var before = GC.GetAllocatedBytesForCurrentThread();
                try
                {
                    _runner.Target(_input!);
                }
                catch (Exception e) when (_runner.IsDocumentedError(e))
                {
                    // A refusal with the documented error type: what bad input should get.
                }
                catch (Exception e)
                {
                    _failure = $"undocumented {e.GetType().FullName}: {e.Message}\n{e.StackTrace}";
                }

                var allocated = GC.GetAllocatedBytesForCurrentThread() - before;
                if (_failure is null && allocated > _runner.MaxAllocatedBytesPerInput)
                {
                    _failure = $"the input of {_input!.Length} bytes made the target allocate {allocated} bytes (cap {_runner.MaxAllocatedBytesPerInput}).";
                }

                _done.Release();
            }
        }

        public void Dispose()
        {
            _stop = true;
            _ready.Release();
        }
    }
}
