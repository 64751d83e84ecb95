namespace PSContainers.Runtime.Tests.Integration;

/// <summary>Makes a root filesystem from Debian's busybox-static: /bin/busybox plus its applet links.</summary>
public static class BusyboxRootfs
{
    public static void Create(string rootfs)
    {
        const string busybox = "/bin/busybox";
        if (!File.Exists(busybox))
        {
            throw new InvalidOperationException("/bin/busybox is missing: install busybox-static (./build.ps1 Bootstrap)");
        }

        foreach (var d in new[] { "bin", "proc", "sys", "dev", "tmp", "etc", "root" })
        {
            Directory.CreateDirectory(Path.Combine(rootfs, d));
        }

        File.Copy(busybox, Path.Combine(rootfs, "bin", "busybox"));
        File.SetUnixFileMode(Path.Combine(rootfs, "bin", "busybox"), (UnixFileMode)0x1ED);
        var list = System.Diagnostics.Process.Start(new System.Diagnostics.ProcessStartInfo(busybox, "--list") { RedirectStandardOutput = true })!;
        var applets = list.StandardOutput.ReadToEnd().Split('\n', StringSplitOptions.RemoveEmptyEntries);
        list.WaitForExit();
        foreach (var applet in applets)
        {
            var link = Path.Combine(rootfs, "bin", applet);
            if (applet != "busybox" && !File.Exists(link))
            {
                File.CreateSymbolicLink(link, "busybox");
            }
        }

        File.WriteAllText(Path.Combine(rootfs, "etc", "passwd"), "root:x:0:0:root:/root:/bin/sh\nnobody:x:65534:65534:nobody:/:/bin/false\n");
        File.WriteAllText(Path.Combine(rootfs, "etc", "group"), "root:x:0:\nnobody:x:65534:\n");
    }
}
