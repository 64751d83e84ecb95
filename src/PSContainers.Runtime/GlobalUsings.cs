global using PSContainers.Native;
global using System.Runtime.InteropServices;
