using System.Globalization;
using System.Net;
using System.Net.Sockets;

namespace PSContainers.Core.Network;

/// <summary>An IPv4 network in CIDR form (10.90.3.0/24): parsing, containment and overlap.</summary>
public readonly record struct Ipv4Subnet(uint Network, int PrefixLength)
{
    public uint Mask => PrefixLength == 0 ? 0 : uint.MaxValue << (32 - PrefixLength);

    public uint Last => Network | ~Mask;

    public static Ipv4Subnet Parse(string text, string what)
    {
        var slash = text.IndexOf('/');
        if (slash < 0 || !TryParseAddress(text[..slash], out var address)
            || !int.TryParse(text.AsSpan(slash + 1), NumberStyles.None, CultureInfo.InvariantCulture, out var prefix) || prefix is < 1 or > 30)
        {
            throw new FormatException($"{what} \"{text}\" is not an IPv4 network in CIDR form with a prefix of 1 to 30, e.g. 10.90.3.0/24");
        }

        var subnet = new Ipv4Subnet(0, prefix);
        if ((address & subnet.Mask) != address)
        {
            throw new FormatException($"{what} \"{text}\" has host bits set; the network is {FormatAddress(address & subnet.Mask)}/{prefix}");
        }

        return subnet with { Network = address };
    }

    public static bool TryParseAddress(string text, out uint address)
    {
        address = 0;
        if (!IPAddress.TryParse(text, out var ip) || ip.AddressFamily != AddressFamily.InterNetwork || text.Count(c => c == '.') != 3)
        {
            return false;
        }

        var b = ip.GetAddressBytes();
        address = (uint)(b[0] << 24 | b[1] << 16 | b[2] << 8 | b[3]);
        return true;
    }

    public static string FormatAddress(uint address) =>
        $"{address >> 24}.{(address >> 16) & 255}.{(address >> 8) & 255}.{address & 255}";

    public bool Contains(uint address) => (address & Mask) == Network;

    public bool Overlaps(Ipv4Subnet other) => Network <= other.Last && other.Network <= Last;

    /// <summary>The first address a host can have (the network address + 1).</summary>
    public uint FirstHost => Network + 1;

    /// <summary>The last address a host can have (before the broadcast address).</summary>
    public uint LastHost => Last - 1;

    public override string ToString() => $"{FormatAddress(Network)}/{PrefixLength}";
}
