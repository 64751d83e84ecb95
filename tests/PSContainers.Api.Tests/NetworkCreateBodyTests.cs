using System.Text.Json;
using PSContainers.Api;
using PSContainers.Api.Endpoints;
using PSContainers.Api.Networks;

namespace PSContainers.Api.Tests;

public class NetworkCreateBodyTests
{
    private static JsonElement Body(string json) => JsonDocument.Parse(json).RootElement;

    [Fact]
    public void TheDockerCliDefaultBodyIsAPlainBridge()
    {
        var request = NetworkCreateBody.Parse(Body("""
            {"Name":"n1","Driver":"bridge","Scope":"","EnableIPv6":null,"IPAM":{"Driver":"default","Options":{},"Config":[]},
             "Internal":false,"Attachable":false,"Ingress":false,"ConfigOnly":false,"ConfigFrom":null,"Options":{},"Labels":{}}
            """));
        Assert.Equal("n1", request.Name);
        Assert.Null(request.Subnet);
        Assert.False(request.Internal);
        Assert.Empty(request.Labels);
    }

    [Fact]
    public void SubnetGatewayRangeInternalAndLabelsAreTaken()
    {
        var request = NetworkCreateBody.Parse(Body("""
            {"Name":"n2","CheckDuplicate":true,"Internal":true,"Labels":{"a":"b"},
             "IPAM":{"Config":[{"Subnet":"10.77.0.0/24","Gateway":"10.77.0.254","IPRange":"10.77.0.128/25"}]}}
            """));
        Assert.Equal("10.77.0.0/24", request.Subnet);
        Assert.Equal("10.77.0.254", request.Gateway);
        Assert.Equal("10.77.0.128/25", request.IPRange);
        Assert.True(request.Internal);
        Assert.Equal("b", request.Labels["a"]);
    }

    [Theory]
    [InlineData("""{"Name":"x","Driver":"macvlan"}""", "macvlan")]
    [InlineData("""{"Name":"x","EnableIPv6":true}""", "EnableIPv6")]
    [InlineData("""{"Name":"x","Options":{"com.docker.network.bridge.name":"br9"}}""", "com.docker.network.bridge.name")]
    [InlineData("""{"Name":"x","IPAM":{"Driver":"dhcp"}}""", "dhcp")]
    [InlineData("""{"Name":"x","IPAM":{"Config":[{"Subnet":"10.1.0.0/24"},{"Subnet":"fd00::/64"}]}}""", "2 entries")]
    [InlineData("""{"Name":"x","IPAM":{"Config":[{"Subnet":"10.1.0.0/24","AuxiliaryAddresses":{"h":"10.1.0.5"}}]}}""", "AuxiliaryAddresses")]
    [InlineData("""{"Name":"x","Ingress":true}""", "Ingress")]
    [InlineData("""{"Name":"x","ConfigFrom":{"Network":"tmpl"}}""", "ConfigFrom")]
    [InlineData("""{"Driver":"bridge"}""", "Name")]
    public void WhatTheEngineCannotDoIsRefusedByName(string json, string named)
    {
        var e = Assert.Throws<ApiException>(() => NetworkCreateBody.Parse(Body(json)));
        Assert.Equal(400, e.StatusCode);
        Assert.Contains(named, e.Message);
    }

    [Theory]
    [InlineData("busybox", "latest", "busybox:latest")]
    [InlineData("127.0.0.1:5000/app", "v1", "127.0.0.1:5000/app:v1")]
    [InlineData("busybox", "sha256:0123456789012345678901234567890123456789012345678901234567890123", "busybox@sha256:0123456789012345678901234567890123456789012345678901234567890123")]
    [InlineData("127.0.0.1:5000/app:v2", null, "127.0.0.1:5000/app:v2")]
    public void PullReferencesAreMadeAsDockerClientsMeanThem(string fromImage, string? tag, string expected) =>
        Assert.Equal(expected, ImagesEndpoints.PullReference(fromImage, tag));

    [Fact]
    public void PullingEveryTagIsRefused()
    {
        Assert.Contains("--all-tags", Assert.Throws<ApiException>(() => ImagesEndpoints.PullReference("127.0.0.1:5000/app", null)).Message);
        Assert.Contains("fromImage", Assert.Throws<ApiException>(() => ImagesEndpoints.PullReference(null, "x")).Message);
    }
}
