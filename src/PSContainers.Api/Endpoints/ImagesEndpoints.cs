using Microsoft.AspNetCore.Http.Features;
using PSContainers.Api.Images;
using PSContainers.Core.Containers;
using PSContainers.Core.Images;
using PSContainers.Core.Registry;

namespace PSContainers.Api.Endpoints;

/// <summary>
/// /images: list, inspect, history, pull (create), push, tag, remove, prune, save (get) and load. Image names carry
/// slashes and a registry's port (localhost:5000/app/web:1), so the per-image routes take the rest of the path and
/// split off the action at its end.
/// </summary>
internal static class ImagesEndpoints
{
    public static IEndpointRouteBuilder MapImages(this IEndpointRouteBuilder app)
    {
        app.MapGet("/images/json", List);
        app.MapPost("/images/create", Pull);
        app.MapGet("/images/get", (HttpContext context, EngineServices engine) => Save(context, engine, context.Request.Query["names"].Where(n => !string.IsNullOrEmpty(n)).Select(n => n!).ToList()));
        app.MapPost("/images/load", Load);
        app.MapPost("/images/prune", Prune);
        app.MapGet("/images/{**rest}", ByNameGet);
        app.MapPost("/images/{**rest}", ByNamePost);
        app.MapDelete("/images/{**rest}", Remove);
        return app;
    }

    private static IResult List(HttpContext context, EngineServices engine)
    {
        var filters = DockerFilters.Parse(ApiQuery.String(context, "filters"), ImageListFilter.Names);
        // "all" shows intermediate images of docker's classic builder; this engine keeps none (its build cache holds layers, not images).
        _ = ApiQuery.Bool(context, "all");
        var images = engine.Images;
        var list = ImageListFilter.Apply(images.List(), filters, images.Get);
        return ApiResults.Json(list.Select(ImageShapes.Summary).ToList());
    }

    private static Task ByNameGet(HttpContext context, EngineServices engine, string rest)
    {
        if (Split(rest, "/json") is { } inspected)
        {
            var image = engine.Images.Get(inspected);
            return ApiResults.Json(ImageShapes.Inspect(image)).ExecuteAsync(context);
        }

        if (Split(rest, "/history") is { } name)
        {
            var images = engine.Images;
            var tags = images.Get(name).RepoTags;
            return ApiResults.Json(images.History(name).Select(i => ImageShapes.History(i, tags)).ToList()).ExecuteAsync(context);
        }

        if (Split(rest, "/get") is { } saved)
        {
            return Save(context, engine, [saved]);
        }

        throw ApiException.NotFound($"page not found: GET /images/{rest}");
    }

    private static Task ByNamePost(HttpContext context, EngineServices engine, string rest)
    {
        if (Split(rest, "/push") is { } pushed)
        {
            return Push(context, engine, pushed);
        }

        if (Split(rest, "/tag") is { } name)
        {
            var repo = ApiQuery.String(context, "repo") ?? throw ApiException.BadRequest("repository name (repo) is required to tag an image");
            var tag = ApiQuery.String(context, "tag");
            engine.Images.Tag(name, tag is null ? repo : repo + ":" + tag);
            return Results.StatusCode(StatusCodes.Status201Created).ExecuteAsync(context);
        }

        throw ApiException.NotFound($"page not found: POST /images/{rest}");
    }

    /// <summary>The image name before suffix, or null when the path does not end so.</summary>
    private static string? Split(string rest, string suffix) =>
        rest.EndsWith(suffix, StringComparison.Ordinal) && rest.Length > suffix.Length ? rest[..^suffix.Length] : null;

    /// <summary>POST /images/create?fromImage=&amp;tag=&amp;platform=: a pull, streamed as docker's progress lines.</summary>
    private static async Task Pull(HttpContext context, EngineServices engine)
    {
        if (ApiQuery.String(context, "fromSrc") is { } source)
        {
            await ImportRootFs(context, engine, source);
            return;
        }

        if (ApiQuery.String(context, "repo") is not null || ApiQuery.String(context, "message") is not null || context.Request.Query.ContainsKey("changes"))
        {
            throw ApiException.BadRequest("repo, message and changes belong to docker import (fromSrc), not to a pull (fromImage)");
        }

        var reference = PullReference(ApiQuery.String(context, "fromImage"), ApiQuery.String(context, "tag"));
        var platform = ApiQuery.String(context, "platform") is { } p ? PlatformSpec.Parse(p) : null;
        var credential = RegistryAuthHeader.Decode(context.Request.Headers[RegistryAuthHeader.HeaderName]);
        var parsed = ImageReference.Parse(reference);
        var images = engine.Images;
        var before = images.TryResolve(reference)?.Record.Config;
        var registry = new RegistryService(images, logger: engine.Loggers.CreateLogger("Registry"));
        var stream = new JsonMessageStream(context);
        var lines = new TransferLines(push: false);
        var announced = 0;
        var progress = new SyncProgress<TransferProgress>(report =>
        {
            // The first report means the manifest was found: a failure before it is an HTTP error, as docker's is.
            if (Interlocked.Exchange(ref announced, 1) == 0)
            {
                stream.Post(JsonMessage.OfStatus("Pulling from " + parsed.FamiliarRepository, parsed.Tag ?? parsed.Digest));
            }

            if (lines.Translate(report) is { } line)
            {
                stream.Post(line);
            }
        });
        await stream.RunAsync(async () =>
        {
            ContainerImage image;
            try
            {
                image = await registry.PullAsync(reference, platform, credential, progress: progress, cancellationToken: context.RequestAborted);
            }
            catch (ContainerEngineException e) when (e.Kind == ContainerErrorKind.AuthenticationFailed)
            {
                throw Denied("pull", parsed.FamiliarRepository, e);
            }

            if (Interlocked.Exchange(ref announced, 1) == 0)
            {
                stream.Post(JsonMessage.OfStatus("Pulling from " + parsed.FamiliarRepository, parsed.Tag ?? parsed.Digest));
            }

            var digest = image.RepoDigests.FirstOrDefault(d => d.StartsWith(parsed.FamiliarRepository + "@", StringComparison.Ordinal)) is { } repoDigest
                ? repoDigest[(repoDigest.IndexOf('@') + 1)..]
                : image.ManifestDigest;
            stream.Post(JsonMessage.OfStatus("Digest: " + digest));
            stream.Post(JsonMessage.OfStatus(before == image.Id
                ? $"Status: Image is up to date for {parsed.FamiliarName}"
                : $"Status: Downloaded newer image for {parsed.FamiliarName}"));
        });
    }

    /// <summary>
    /// POST /images/create?fromSrc=-: docker import, a root filesystem tarball in the body (plain or gzip) made a
    /// one-layer image, with repo[:tag], tag, message and changes (Dockerfile instructions) as docker takes them.
    /// </summary>
    private static async Task ImportRootFs(HttpContext context, EngineServices engine, string source)
    {
        if (source != "-")
        {
            throw ApiException.BadRequest($"fromSrc={source}: importing from a URL is not supported (this service fetches nothing itself); send the tarball in the body (docker import FILE or -)");
        }

        if (ApiQuery.String(context, "fromImage") is not null)
        {
            throw ApiException.BadRequest("fromSrc and fromImage cannot be combined: one is docker import, the other a pull");
        }

        if (ApiQuery.String(context, "platform") is { Length: > 0 } platform
            && PlatformSpec.Parse(platform) is var wanted && (wanted.Os != PlatformSpec.Default.Os || wanted.Architecture != PlatformSpec.Default.Architecture))
        {
            throw ApiException.BadRequest($"platform={platform} is not supported by import here: the image is made for this machine's platform ({PlatformSpec.Default.Os}/{PlatformSpec.Default.Architecture})");
        }

        var tags = new List<string>();
        if (ApiQuery.String(context, "repo") is { Length: > 0 } repo)
        {
            var tag = ApiQuery.String(context, "tag");
            tags.Add(string.IsNullOrEmpty(tag) ? repo : repo + ":" + tag);
        }

        var changes = context.Request.Query["changes"].Where(c => !string.IsNullOrEmpty(c)).Select(c => c!).ToList();
        var message = ApiQuery.String(context, "message");
        var images = engine.Images;
        await using var upload = await Upload.SpoolAsync(context, images.Paths);
        var imported = await Task.Run(
            () => images.Import(upload.Path, ImageArchiveFormat.RootFs, tags, changes, null, string.IsNullOrEmpty(message) ? null : message, null, context.RequestAborted)[0],
            context.RequestAborted);
        var stream = new JsonMessageStream(context);
        await stream.RunAsync(() =>
        {
            stream.Post(JsonMessage.OfStatus(imported.Id));
            return Task.CompletedTask;
        });
    }

    /// <summary>fromImage and tag as docker clients send them: the tag may be a digest, or absent when fromImage carries one.</summary>
    internal static string PullReference(string? fromImage, string? tag)
    {
        if (string.IsNullOrEmpty(fromImage))
        {
            throw ApiException.BadRequest("fromImage is required (the image to pull)");
        }

        if (string.IsNullOrEmpty(tag))
        {
            var parsed = ImageReference.Parse(fromImage);
            var slash = fromImage.LastIndexOf('/');
            if (parsed.Digest is null && fromImage.IndexOf(':', slash + 1) < 0)
            {
                // docker pulls every tag then (docker pull --all-tags); naming one is the way here.
                throw ApiException.BadRequest($"pulling every tag of {fromImage} (--all-tags) is not supported; name a tag");
            }

            return fromImage;
        }

        return tag.Contains(':') ? fromImage + "@" + tag : fromImage + ":" + tag;
    }

    /// <summary>POST /images/{name}/push?tag=: one tag, or every tag of the repository when tag is empty (docker push --all-tags).</summary>
    private static async Task Push(HttpContext context, EngineServices engine, string name)
    {
        var tag = ApiQuery.String(context, "tag");
        var credential = RegistryAuthHeader.Decode(context.Request.Headers[RegistryAuthHeader.HeaderName]);
        var images = engine.Images;
        var repository = ImageReference.Parse(name);
        if (repository.Digest is not null)
        {
            throw ApiException.BadRequest($"{name}: push a tag, not a digest");
        }

        List<string> targets;
        if (tag is not null)
        {
            targets = [repository.WithTag(tag).ToString()];
        }
        else if (name.IndexOf(':', name.LastIndexOf('/') + 1) >= 0)
        {
            targets = [repository.ToString()];
        }
        else
        {
            targets = images.List().SelectMany(i => i.Names).Where(n => ImageReference.Parse(n).Repository == repository.Repository).Distinct().ToList();
        }

        // Missing images are a 404 before anything streams, with docker's wording.
        foreach (var target in targets.DefaultIfEmpty(repository.ToString()))
        {
            if (images.TryResolve(target) is null)
            {
                throw ApiException.NotFound($"An image does not exist locally with the tag: {ImageReference.Parse(target).FamiliarRepository}");
            }
        }

        var registry = new RegistryService(images, logger: engine.Loggers.CreateLogger("Registry"));
        var stream = new JsonMessageStream(context);
        stream.Post(JsonMessage.OfStatus($"The push refers to repository [{repository.Repository}]"));
        await stream.RunAsync(async () =>
        {
            foreach (var target in targets)
            {
                // The repository a blob can be mounted from, as the push picks it: another name of the image on the same registry.
                var pushing = ImageReference.Parse(target);
                var mountedFrom = images.Get(target).Names
                    .Select(n => ImageReference.Parse(n))
                    .FirstOrDefault(n => n.Domain == pushing.Domain && n.Path != pushing.Path)?.Path;
                var lines = new TransferLines(push: true, mountedFrom);
                var progress = new SyncProgress<TransferProgress>(report =>
                {
                    if (lines.Translate(report) is { } line)
                    {
                        stream.Post(line);
                    }
                });
                ImagePushResult result;
                try
                {
                    result = await registry.PushAsync(target, null, credential, progress, context.RequestAborted);
                }
                catch (ContainerEngineException e) when (e.Kind == ContainerErrorKind.AuthenticationFailed)
                {
                    throw Denied("push", pushing.FamiliarRepository, e);
                }

                var pushedTag = ImageReference.Parse(target).Tag ?? ImageReference.DefaultTag;
                var size = Digest.TryParse(result.Digest, out var d) ? images.Content.GetSize(d) ?? 0 : 0;
                stream.Post(JsonMessage.OfStatus($"{pushedTag}: digest: {result.Digest} size: {size}"));
                stream.Post(new JsonMessage { ProgressDetail = JsonProgressDetail.Empty, Aux = new { Tag = pushedTag, Digest = result.Digest, Size = size } });
            }
        });
    }

    /// <summary>
    /// A registry's refusal of a pull or push. Not a 401: on a 401 the docker CLI asks for a user name on its terminal
    /// and retries, which docker's daemon never makes it do (it answers "pull access denied ..."); 403 ends the command.
    /// </summary>
    private static ApiException Denied(string verb, string repository, ContainerEngineException e) =>
        new(StatusCodes.Status403Forbidden, $"{verb} access denied for {repository}: {e.Message}");

    private static IResult Remove(HttpContext context, EngineServices engine, string rest)
    {
        var force = ApiQuery.Bool(context, "force");
        // noprune keeps untagged parent images in docker; images here have no parent images (a build's steps live in the
        // build cache, not as images), so there is never one to keep or prune.
        _ = ApiQuery.Bool(context, "noprune");
        var results = engine.Images.Remove(rest, force, context.RequestAborted);
        return ApiResults.Json(results.Select(ImageShapes.DeleteItem).ToList());
    }

    /// <summary>POST /images/prune: dangling images (filters dangling=false: every unused one), then unreferenced layers.</summary>
    private static IResult Prune(HttpContext context, EngineServices engine)
    {
        var filters = DockerFilters.Parse(ApiQuery.String(context, "filters"), "dangling", "label", "until");
        if (filters.Has("label") || filters.Has("until"))
        {
            throw ApiException.BadRequest("image prune here takes only the dangling filter; label and until are not supported (remove such images by name)");
        }

        var all = filters.GetBool("dangling") == false;
        var result = engine.Images.Prune(all, context.RequestAborted);
        return ApiResults.Json(new
        {
            ImagesDeleted = result.ImagesDeleted.Select(id => new Dictionary<string, string> { ["Deleted"] = id }).ToList(),
            result.SpaceReclaimed,
        });
    }

    /// <summary>GET /images/get?names=...: a docker-archive tar of the images, written to the response as it is made.</summary>
    private static async Task Save(HttpContext context, EngineServices engine, IReadOnlyList<string> names)
    {
        if (names.Count == 0)
        {
            throw ApiException.BadRequest("names is required: the images to save");
        }

        var images = engine.Images;
        foreach (var name in names)
        {
            // Every name resolves before the first byte, so a missing one is a 404 rather than a cut-off tar.
            images.Resolve(name);
        }

        context.Response.ContentType = "application/x-tar";
        // The engine's tar writer is synchronous; it runs on a pool thread so no request thread blocks.
        context.Features.Get<IHttpBodyControlFeature>()!.AllowSynchronousIO = true;
        await Task.Run(() => images.Export(names, ImageArchiveFormat.DockerArchive, context.Response.Body, null, context.RequestAborted), context.RequestAborted);
    }

    /// <summary>POST /images/load: a docker-archive or oci-archive tar in the body; says what it loaded as docker does.</summary>
    private static async Task Load(HttpContext context, EngineServices engine)
    {
        _ = ApiQuery.Bool(context, "quiet");
        if (ApiQuery.String(context, "platform") is not null)
        {
            throw ApiException.BadRequest("platform is not supported by load here: an archive's images are loaded for this machine's platform");
        }

        var images = engine.Images;
        await using var upload = await Upload.SpoolAsync(context, images.Paths);
        var (loaded, named) = await Task.Run(() =>
        {
            // Only image archives: a plain tar is not taken as a root filesystem, as Import's Auto would (that is docker import).
            var names = ArchiveTags.Read(upload.Path);
            var format = names is null ? ImageArchiveFormat.OciArchive : ImageArchiveFormat.DockerArchive;
            try
            {
                return (images.Import(upload.Path, format, [], [], null, null, null, context.RequestAborted), names);
            }
            catch (Core.Containers.ContainerEngineException e) when (e.ErrorId == "InvalidArchive" && e.Target == upload.Path)
            {
                throw ApiException.BadRequest("the uploaded tar is not an image archive: it has neither manifest.json (docker-archive) nor index.json (oci-archive)");
            }
        }, context.RequestAborted);
        var stream = new JsonMessageStream(context);
        await stream.RunAsync(() =>
        {
            foreach (var image in loaded)
            {
                var tags = image.RepoTags.Where(t => named is null || named.Contains(t)).ToList();
                if (tags.Count == 0)
                {
                    stream.Post(JsonMessage.OfStream("Loaded image ID: " + image.Id));
                }

                foreach (var tag in tags)
                {
                    stream.Post(JsonMessage.OfStream("Loaded image: " + tag));
                }
            }

            return Task.CompletedTask;
        });
    }
}
