namespace PSContainers.Runtime.Paths;

// What lstat says a path is, as far as path resolution cares.
internal enum EntryKind
{
    Missing,
    Directory,
    Symlink,
    Other,
}
