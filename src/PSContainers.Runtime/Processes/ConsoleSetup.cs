namespace PSContainers.Runtime.Processes;

/// <summary>Makes a pseudo-terminal inside the container, hands its master to the console socket, and adopts the slave.</summary>
internal static unsafe class ConsoleSetup
{
    public static void Attach(int consoleSocket, Spec.Box? size, bool bindConsole)
    {
        if (consoleSocket < 0)
        {
            throw new InvalidOperationException("process.terminal is set but no --console-socket was given");
        }

        var master = Libc.Open("/dev/ptmx", Consts.O_RDWR | Consts.O_NOCTTY | Consts.O_CLOEXEC, 0);
        Libc.Check(master, "open", "/dev/ptmx");
        int unlock = 0;
        Libc.Check(Libc.Ioctl(master, Consts.TIOCSPTLCK, &unlock), "ioctl(TIOCSPTLCK)", "/dev/ptmx");
        int number;
        Libc.Check(Libc.Ioctl(master, Consts.TIOCGPTN, &number), "ioctl(TIOCGPTN)", "/dev/ptmx");
        var slavePath = "/dev/pts/" + number.ToString(System.Globalization.CultureInfo.InvariantCulture);
        var slave = Libc.Open(slavePath, Consts.O_RDWR | Consts.O_NOCTTY, 0);
        Libc.Check(slave, "open", slavePath);
        if (size is not null)
        {
            var ws = new WinSize { Rows = (ushort)size.Height, Cols = (ushort)size.Width };
            Libc.Check(Libc.Ioctl(slave, Consts.TIOCSWINSZ, &ws), "ioctl(TIOCSWINSZ)", slavePath);
        }

        if (bindConsole)
        {
            if (!File.Exists("/dev/console"))
            {
                using (File.Create("/dev/console"))
                {
                }
            }

            Libc.Check(Libc.Mount(slavePath, "/dev/console", null, Consts.MS_BIND, null), "mount (bind console)", "/dev/console");
        }

        FdPassing.Send(consoleSocket, master, slavePath);
        Libc.Close(master);
        Libc.Close(consoleSocket);
        for (var fd = 0; fd < 3; fd++)
        {
            Libc.Check(Libc.Dup2(slave, fd), "dup2", slavePath);
        }

        Libc.Check(Libc.Ioctl(0, Consts.TIOCSCTTY, null), "ioctl(TIOCSCTTY)", slavePath);
        if (slave > 2)
        {
            Libc.Close(slave);
        }
    }
}
