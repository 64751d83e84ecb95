namespace Pscmon;

/// <summary>What pscrun hands pscmon on its command line (--wait), and what pscmon hands back (--handoff-update).</summary>
/// <remarks>
/// --wait is one comma-separated list of integers: init pid, stdout pipe (read, write), stderr pipe (read,
/// write), stdin pipe's write end, pty master, attach listener, the client that owns stdin, pscrun's binary
/// (an fd for execveat), container.log, tty (0/1), stdin closed (0/1), a stop signal already received, then
/// the attach clients. -1 is "none". MonitorHandoff.ApplyUpdate in pscrun reads what Update writes.
/// </remarks>
internal sealed unsafe class State
{
    public const int MaxClients = 64;

    public int InitPid;
    public int OutRead;
    public int OutWrite;
    public int ErrRead;
    public int ErrWrite;
    public int StdinWrite;
    public int Pty;
    public int Listen;
    public int StdinOwner;
    public int ExeFd;
    public int LogFd;
    public bool Tty;
    public bool StdinClosed;
    public int StopSignal;
    public int* Clients;
    public int ClientCount;
    public int ExitCode;

    /// <summary>The health check's schedule in ms (interval, start period, interval within it); HealthArgv null when there is none.</summary>
    public int HealthIntervalMs;
    public int HealthStartPeriodMs;
    public int HealthStartIntervalMs;

    /// <summary>A NULL-terminated argv of pscrun's health-check verb, run through ExeFd on schedule.</summary>
    public byte** HealthArgv;

    /// <summary>The environment pscmon was started with, passed on to the health checks.</summary>
    public byte** Envp;

    /// <summary>Parses --health's value (interval, start period, start interval, in ms); false when it is malformed.</summary>
    public bool ParseHealth(byte* text)
    {
        var values = stackalloc int[3];
        var count = 0;
        var p = text;
        while (*p != 0 && count < 3)
        {
            if (*p < '0' || *p > '9')
            {
                return false;
            }

            var value = 0;
            while (*p >= '0' && *p <= '9' && value < 100_000_000)
            {
                value = (value * 10) + (*p++ - '0');
            }

            values[count++] = value;
            if (*p == ',')
            {
                p++;
            }
            else if (*p != 0)
            {
                return false;
            }
        }

        if (count != 3 || values[0] < 1)
        {
            return false;
        }

        HealthIntervalMs = values[0];
        HealthStartPeriodMs = values[1];
        HealthStartIntervalMs = values[2] < 1 ? values[0] : values[2];
        return true;
    }

    /// <summary>Parses --wait's value; false when it is malformed.</summary>
    public bool Parse(byte* text)
    {
        Clients = (int*)Sys.calloc(MaxClients, sizeof(int));
        var values = stackalloc int[14 + MaxClients];
        var count = 0;
        var p = text;
        while (*p != 0 && count < 14 + MaxClients)
        {
            var negative = *p == '-';
            if (negative)
            {
                p++;
            }

            if (*p < '0' || *p > '9')
            {
                return false;
            }

            var value = 0;
            while (*p >= '0' && *p <= '9')
            {
                value = (value * 10) + (*p++ - '0');
            }

            values[count++] = negative ? -value : value;
            if (*p == ',')
            {
                p++;
            }
            else if (*p != 0)
            {
                return false;
            }
        }

        if (count < 14)
        {
            return false;
        }

        InitPid = values[0];
        OutRead = values[1];
        OutWrite = values[2];
        ErrRead = values[3];
        ErrWrite = values[4];
        StdinWrite = values[5];
        Pty = values[6];
        Listen = values[7];
        StdinOwner = values[8];
        ExeFd = values[9];
        LogFd = values[10];
        Tty = values[11] != 0;
        StdinClosed = values[12] != 0;
        StopSignal = values[13];
        for (var i = 14; i < count; i++)
        {
            Clients[ClientCount++] = values[i];
        }

        return true;
    }

    /// <summary>The --handoff-update value pscrun applies to its handoff when it takes over after the exit.</summary>
    public byte* Update()
    {
        var text = (byte*)Sys.calloc(1024, 1);
        var o = text;
        o = Put(o, "phase=exited;exit=");
        o = Int(o, ExitCode);
        o = Put(o, ";stop=");
        o = Int(o, StopSignal);
        o = Put(o, ";stdin=");
        o = Int(o, StdinWrite);
        o = Put(o, ";stdinowner=");
        o = Int(o, StdinOwner);
        o = Put(o, ";stdinclosed=");
        o = Int(o, StdinClosed ? 1 : 0);
        o = Put(o, ";pty=");
        o = Int(o, Pty);
        o = Put(o, ";out=");
        o = Int(o, OutRead);
        o = Put(o, ",");
        o = Int(o, OutWrite);
        o = Put(o, ";err=");
        o = Int(o, ErrRead);
        o = Put(o, ",");
        o = Int(o, ErrWrite);
        o = Put(o, ";clients=");
        for (var i = 0; i < ClientCount; i++)
        {
            if (i > 0)
            {
                o = Put(o, ",");
            }

            o = Int(o, Clients[i]);
        }

        Put(o, ";");
        return text;
    }

    private static byte* Put(byte* o, string ascii)
    {
        fixed (char* s = ascii)
        {
            for (var i = 0; i < ascii.Length; i++)
            {
                *o++ = (byte)s[i];
            }
        }

        return o;
    }

    private static byte* Int(byte* o, int value)
    {
        if (value < 0)
        {
            *o++ = (byte)'-';
            value = -value;
        }

        var digits = stackalloc byte[12];
        var n = 0;
        do
        {
            digits[n++] = (byte)('0' + (value % 10));
            value /= 10;
        }
        while (value > 0);

        while (n > 0)
        {
            *o++ = digits[--n];
        }

        return o;
    }
}
