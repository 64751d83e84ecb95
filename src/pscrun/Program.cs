namespace PSContainers.Pscrun;

/// <summary>Entry point of the pscrun OCI runtime.</summary>
public static class Program
{
    public static int Main(string[] args) => 0;
}
