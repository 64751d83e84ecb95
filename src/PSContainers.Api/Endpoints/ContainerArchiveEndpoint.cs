using System.Formats.Tar;
using System.Text;
using System.Text.Json;
using Microsoft.AspNetCore.Http.Features;

namespace PSContainers.Api.Endpoints;

/// <summary>
/// /containers/{id}/archive (docker cp): GET a tar of a path in the container, with its stat in the
/// X-Docker-Container-Path-Stat header (HEAD: the header only); PUT a tar to extract into a directory there.
/// The engine's Copy-ContainerItem does the copying (every path resolved inside the container root); the tar
/// is made and read here with System.Formats.Tar through a private temporary directory.
/// </summary>
internal static class ContainerArchiveEndpoint
{
    public static async Task Get(string id, HttpContext context, EngineServices engine)
    {
        var path = ApiQuery.String(context, "path") ?? throw ApiException.BadRequest("the path query parameter is required");
        var containers = engine.Containers;
        var info = containers.Get(id);
        var temp = Directory.CreateTempSubdirectory("psc-api-cp-");
        try
        {
            var name = Path.GetFileName(path.TrimEnd('/'));
            if (name.Length == 0)
            {
                name = ".";
            }

            var copy = Path.Join(temp.FullName, "out");
            Directory.CreateDirectory(copy);
            containers.CopyFrom(info.Id, path, Path.Join(copy, name == "." ? "root" : name));
            var item = Path.Join(copy, name == "." ? "root" : name);
            context.Response.Headers["X-Docker-Container-Path-Stat"] = PathStat(item, name == "." ? "/" : name);
            if (HttpMethods.IsHead(context.Request.Method))
            {
                return;
            }

            context.Response.ContentType = "application/x-tar";
            context.Features.Get<IHttpBodyControlFeature>()!.AllowSynchronousIO = true;
            await context.Response.StartAsync(context.RequestAborted);
            await Task.Run(() =>
            {
                using var writer = new TarWriter(context.Response.Body, TarEntryFormat.Pax, leaveOpen: true);
                var entryName = name == "." ? "." : name;
                writer.WriteEntry(item, entryName);
                if (Directory.Exists(item) && new FileInfo(item).LinkTarget is null)
                {
                    foreach (var entry in new DirectoryInfo(item).EnumerateFileSystemInfos("*", new EnumerationOptions { RecurseSubdirectories = true, AttributesToSkip = 0 }))
                    {
                        context.RequestAborted.ThrowIfCancellationRequested();
                        writer.WriteEntry(entry.FullName, entryName + "/" + Path.GetRelativePath(item, entry.FullName));
                    }
                }
            }, context.RequestAborted);
        }
        finally
        {
            temp.Delete(recursive: true);
        }
    }

    public static async Task<IResult> Put(string id, HttpContext context, EngineServices engine)
    {
        var path = ApiQuery.String(context, "path") ?? throw ApiException.BadRequest("the path query parameter is required");
        if (ApiQuery.Bool(context, "copyUIDGID"))
        {
            throw ApiException.BadRequest("copyUIDGID=1 (docker cp -a) is not supported: copied files keep the ids they have in the archive");
        }

        var containers = engine.Containers;
        var info = containers.Get(id);
        var temp = Directory.CreateTempSubdirectory("psc-api-cp-");
        try
        {
            var extracted = Path.Join(temp.FullName, "in");
            Directory.CreateDirectory(extracted);
            // Extraction refuses entries that would land outside the directory (.., absolute links).
            await TarFile.ExtractToDirectoryAsync(context.Request.Body, extracted, overwriteFiles: true, context.RequestAborted);
            foreach (var entry in Directory.EnumerateFileSystemEntries(extracted))
            {
                containers.CopyTo(info.Id, entry, path.EndsWith('/') ? path : path + "/");
            }
        }
        finally
        {
            temp.Delete(recursive: true);
        }

        return Results.Ok();
    }

    /// <summary>docker's container path stat: name, size, Go FileMode bits (directory 1&lt;&lt;31, symlink 1&lt;&lt;27), mtime, link target; base64 JSON.</summary>
    internal static string PathStat(string hostItem, string name)
    {
        var info = new FileInfo(hostItem);
        var isDir = Directory.Exists(hostItem) && info.LinkTarget is null;
        var mode = (long)File.GetUnixFileMode(hostItem);
        if (isDir)
        {
            mode |= 1L << 31;
        }

        if (info.LinkTarget is not null)
        {
            mode |= 1L << 27;
        }

        var stat = new
        {
            name,
            size = isDir ? 4096 : info.LinkTarget is null ? info.Length : 0,
            mode,
            mtime = (isDir ? Directory.GetLastWriteTimeUtc(hostItem) : info.LastWriteTimeUtc).ToString("yyyy-MM-ddTHH:mm:ss.fffffffZ", System.Globalization.CultureInfo.InvariantCulture),
            linkTarget = info.LinkTarget ?? "",
        };
        return Convert.ToBase64String(Encoding.UTF8.GetBytes(JsonSerializer.Serialize(stat)));
    }
}
