using PSContainers.Core.Containers;
using PSContainers.Core.State;

namespace PSContainers.Core.Tests;

public sealed class ContainerStoreTests : IDisposable
{
    private readonly TempDirectory _dir = new();
    private readonly ContainerStore _store;

    public ContainerStoreTests() =>
        _store = new ContainerStore(new EnginePaths(Path.Combine(_dir.Path, "root"), Path.Combine(_dir.Path, "run")));

    public void Dispose() => _dir.Dispose();

    private StoredContainer Add(string? name = null) =>
        _store.Add(new StoredContainer { Id = ContainerStore.NewId(), Name = name ?? "", Created = DateTimeOffset.UtcNow });

    [Fact]
    public void NewIdsAre64LowercaseHexAndDistinct()
    {
        var ids = Enumerable.Range(0, 100).Select(_ => ContainerStore.NewId()).ToList();
        Assert.All(ids, id => Assert.Matches("^[0-9a-f]{64}$", id));
        Assert.Equal(100, ids.Distinct().Count());
    }

    [Fact]
    public void RecordRoundTripsAndLeavesNoTempFiles()
    {
        var record = Add("web");
        record.Config.Command = ["echo", "hi"];
        _store.Save(record);
        var loaded = _store.Load(record.Id);
        Assert.Equal("web", loaded.Name);
        Assert.Equal(["echo", "hi"], loaded.Config.Command);
        Assert.Single(Directory.GetFiles(_store.Paths.ContainerDir(record.Id)));
    }

    [Fact]
    public void ADuplicateNameIsRefusedWithContainerNameInUse()
    {
        Add("db");
        var e = Assert.Throws<ContainerEngineException>(() => Add("db"));
        Assert.Equal("ContainerNameInUse", e.ErrorId);
        Assert.Single(_store.Ids());
    }

    [Fact]
    public void AnInvalidNameIsRefusedBeforeAnythingIsWritten()
    {
        var e = Assert.Throws<ContainerEngineException>(() => Add("../evil"));
        Assert.Equal("InvalidArgument", e.ErrorId);
        Assert.Empty(_store.Ids());
    }

    [Fact]
    public void WithoutANameOneIsGenerated()
    {
        var record = Add();
        Assert.Matches("^[a-z]+_[a-z]+[0-9]*$", record.Name);
        Assert.Equal(record.Id, _store.Resolve(record.Name));
    }

    [Fact]
    public void ResolveFindsFullIdNameAndUniquePrefix()
    {
        var record = Add("api");
        Assert.Equal(record.Id, _store.Resolve(record.Id));
        Assert.Equal(record.Id, _store.Resolve("api"));
        Assert.Equal(record.Id, _store.Resolve(record.Id[..12]));
        Assert.Equal(record.Id, _store.Resolve(record.Id[..4].ToUpperInvariant()));
    }

    [Fact]
    public void ResolveRefusesShortOrUnknownReferences()
    {
        var record = Add("api");
        Assert.Equal("ContainerNotFound", Assert.Throws<ContainerEngineException>(() => _store.Resolve(record.Id[..3])).ErrorId);
        Assert.Equal("ContainerNotFound", Assert.Throws<ContainerEngineException>(() => _store.Resolve("nope")).ErrorId);
    }

    [Fact]
    public void AnAmbiguousPrefixIsAnError()
    {
        // Two ids sharing a prefix, written directly so the test does not depend on chance.
        var a = new StoredContainer { Id = "abcd" + new string('1', 60), Name = "one" };
        var b = new StoredContainer { Id = "abcd" + new string('2', 60), Name = "two" };
        _store.Add(a);
        _store.Add(b);
        Assert.Equal("AmbiguousContainerReference", Assert.Throws<ContainerEngineException>(() => _store.Resolve("abcd")).ErrorId);
        Assert.Equal(a.Id, _store.Resolve("abcd1"));
    }

    [Fact]
    public void RenameMovesTheNameAndFreesTheOldOne()
    {
        var record = Add("old");
        _store.Rename(record.Id, "new");
        Assert.Equal(record.Id, _store.Resolve("new"));
        Assert.Throws<ContainerEngineException>(() => _store.Resolve("old"));
        Add("old");
    }

    [Fact]
    public void DeleteFreesTheNameAndTheDirectory()
    {
        var record = Add("gone");
        _store.Delete(record.Id);
        Assert.False(Directory.Exists(_store.Paths.ContainerDir(record.Id)));
        Assert.Null(_store.OwnerOfName("gone"));
        Add("gone");
    }

    [Fact]
    public void ANameFileWithoutItsRecordCountsAsFree()
    {
        // A crash between writing the name and the record leaves a name file pointing nowhere.
        Directory.CreateDirectory(_store.Paths.NamesDir);
        File.WriteAllText(Path.Combine(_store.Paths.NamesDir, "stale"), ContainerStore.NewId());
        Add("stale");
    }

    [Fact]
    public void ConcurrentReservationsOfOneNameLetExactlyOneWin()
    {
        var winners = 0;
        var losers = 0;
        Parallel.For(0, 16, new ParallelOptions { MaxDegreeOfParallelism = 8 }, _ =>
        {
            try
            {
                Add("contended");
                Interlocked.Increment(ref winners);
            }
            catch (ContainerEngineException e) when (e.ErrorId == "ContainerNameInUse")
            {
                Interlocked.Increment(ref losers);
            }
        });
        Assert.Equal(1, winners);
        Assert.Equal(15, losers);
        Assert.Single(_store.Ids());
    }

    [Fact]
    public void ConcurrentGeneratedNamesAreAllDistinct()
    {
        var names = new System.Collections.Concurrent.ConcurrentBag<string>();
        Parallel.For(0, 40, new ParallelOptions { MaxDegreeOfParallelism = 8 }, _ => names.Add(Add().Name));
        Assert.Equal(40, names.Distinct().Count());
        Assert.Equal(40, _store.Ids().Count);
    }
}
