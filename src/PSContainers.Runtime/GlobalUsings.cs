global using PSContainers.Native;
