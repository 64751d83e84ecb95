using System.Globalization;
using System.Text.Json;

namespace PSContainers.Api;

/// <summary>docker's query-string conventions: booleans as 1/true/0/false, integers, and JSON-encoded filters.</summary>
internal static class ApiQuery
{
    /// <summary>True for "1", "true" and "True"; false when absent, empty, "0" or "false"; anything else is a 400 naming the parameter.</summary>
    public static bool Bool(HttpContext context, string name, bool absent = false)
    {
        var value = context.Request.Query[name].ToString();
        return value switch
        {
            "" => absent,
            "1" or "true" or "True" or "TRUE" => true,
            "0" or "false" or "False" or "FALSE" => false,
            _ => throw ApiException.BadRequest($"invalid boolean value \"{value}\" for query parameter {name}"),
        };
    }

    public static int? Int(HttpContext context, string name)
    {
        var value = context.Request.Query[name].ToString();
        if (value.Length == 0)
        {
            return null;
        }

        return int.TryParse(value, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out var n)
            ? n
            : throw ApiException.BadRequest($"invalid integer value \"{value}\" for query parameter {name}");
    }

    public static string? String(HttpContext context, string name)
    {
        var value = context.Request.Query[name].ToString();
        return value.Length == 0 ? null : value;
    }

    /// <summary>
    /// The filters parameter: {"status":["running"],"label":["a=b"]} (API 1.22+), or the older
    /// {"status":{"running":true}} map form that some clients still send. Names are lower-case keys.
    /// </summary>
    public static Dictionary<string, List<string>> Filters(string? json)
    {
        var result = new Dictionary<string, List<string>>(StringComparer.Ordinal);
        if (string.IsNullOrEmpty(json))
        {
            return result;
        }

        JsonDocument document;
        try
        {
            document = JsonDocument.Parse(json);
        }
        catch (JsonException e)
        {
            throw ApiException.BadRequest($"invalid filters \"{json}\": {e.Message}");
        }

        using (document)
        {
            if (document.RootElement.ValueKind != JsonValueKind.Object)
            {
                throw ApiException.BadRequest($"invalid filters \"{json}\": expected a JSON object of filter names");
            }

            foreach (var filter in document.RootElement.EnumerateObject())
            {
                var values = new List<string>();
                switch (filter.Value.ValueKind)
                {
                    case JsonValueKind.Array:
                        foreach (var v in filter.Value.EnumerateArray())
                        {
                            values.Add(v.ValueKind == JsonValueKind.String ? v.GetString()! : throw ApiException.BadRequest($"invalid filters: {filter.Name} values must be strings"));
                        }

                        break;
                    case JsonValueKind.Object:
                        foreach (var v in filter.Value.EnumerateObject())
                        {
                            if (v.Value.ValueKind == JsonValueKind.True)
                            {
                                values.Add(v.Name);
                            }
                        }

                        break;
                    default:
                        throw ApiException.BadRequest($"invalid filters: {filter.Name} must be a list of values");
                }

                result[filter.Name] = values;
            }
        }

        return result;
    }

    /// <summary>Refuses filter names an endpoint does not know, as docker does ("invalid filter 'x'").</summary>
    public static void OnlyFilters(Dictionary<string, List<string>> filters, params string[] known)
    {
        foreach (var name in filters.Keys)
        {
            if (Array.IndexOf(known, name) < 0)
            {
                throw ApiException.BadRequest($"invalid filter '{name}'");
            }
        }
    }
}
