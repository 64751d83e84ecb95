using System.Text.Json;
using PSContainers.Api;
using PSContainers.Core.Containers;

namespace PSContainers.Api.Tests;

public sealed class ApiErrorsTests
{
    [Fact]
    public void Not_found_engine_errors_are_404_in_dockers_words()
    {
        Assert.Equal((404, "No such container: web"), ApiErrors.Map(ContainerEngineException.NotFound("web")));
        var image = new ContainerEngineException("ImageNotFound", "The image busybox:1 is not in the store.", ContainerErrorKind.NotFound, "busybox:1");
        Assert.Equal((404, "No such image: busybox:1"), ApiErrors.Map(image));
    }

    [Theory]
    [InlineData(ContainerErrorKind.InvalidArgument, 400)]
    [InlineData(ContainerErrorKind.InvalidData, 400)]
    [InlineData(ContainerErrorKind.InvalidState, 409)]
    [InlineData(ContainerErrorKind.ResourceBusy, 409)]
    [InlineData(ContainerErrorKind.OperationFailed, 500)]
    [InlineData(ContainerErrorKind.Timeout, 500)]
    [InlineData(ContainerErrorKind.AuthenticationFailed, 401)]
    public void Engine_error_kinds_map_to_status_codes(ContainerErrorKind kind, int status)
    {
        var (code, message) = ApiErrors.Map(new ContainerEngineException("SomeId", "what went wrong", kind));
        Assert.Equal(status, code);
        Assert.Equal("what went wrong", message);
    }

    [Fact]
    public void Other_exceptions_map_by_their_kind_and_keep_the_type_of_a_defect()
    {
        Assert.Equal(400, ApiErrors.Map(ApiException.BadRequest("x")).Status);
        Assert.Equal(409, ApiErrors.Map(ApiException.Conflict("x")).Status);
        Assert.Equal(400, ApiErrors.Map(new JsonException("bad")).Status);
        Assert.Equal(404, ApiErrors.Map(new FileNotFoundException("gone")).Status);
        var (status, message) = ApiErrors.Map(new InvalidOperationException("boom"));
        Assert.Equal(500, status);
        Assert.Equal("InvalidOperationException: boom", message);
    }
}
