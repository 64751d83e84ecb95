namespace PSContainers.Native;

/// <summary>The new mount API calls an idmapped mount needs: open_tree, mount_setattr, move_mount.</summary>
public static unsafe class LibcMountApi
{
    public const long SysOpenTree = 428, SysMoveMount = 429, SysMountSetattr = 442;
    public const int OPEN_TREE_CLONE = 1, OPEN_TREE_CLOEXEC = Consts.O_CLOEXEC;
    public const int MOVE_MOUNT_F_EMPTY_PATH = 4;
    public const int AT_RECURSIVE = 0x8000;
    public const ulong MOUNT_ATTR_IDMAP = 0x00100000;

    // struct mount_attr (linux/mount.h, MOUNT_ATTR_SIZE_VER0 = 32): attr_set, attr_clr, propagation, userns_fd.
    private struct MountAttr
    {
        public ulong AttrSet;
        public ulong AttrClr;
        public ulong Propagation;
        public ulong UsernsFd;
    }

    /// <summary>A detached copy of the mount tree at path (open_tree OPEN_TREE_CLONE, recursive when asked).</summary>
    public static int OpenTreeClone(string path, bool recursive)
    {
        var p = Libc.Utf8(path);
        fixed (byte* pp = p)
        {
            return (int)Libc.Syscall(SysOpenTree, Consts.AT_FDCWD, (long)pp, OPEN_TREE_CLONE | OPEN_TREE_CLOEXEC | (recursive ? AT_RECURSIVE : 0), 0, 0);
        }
    }

    /// <summary>Marks a detached mount as idmapped through the user namespace usernsFd (mount_setattr MOUNT_ATTR_IDMAP).</summary>
    public static int SetIdmap(int mountFd, int usernsFd)
    {
        var attr = new MountAttr { AttrSet = MOUNT_ATTR_IDMAP, UsernsFd = (ulong)usernsFd };
        var empty = Libc.Utf8("");
        fixed (byte* pe = empty)
        {
            return (int)Libc.Syscall(SysMountSetattr, mountFd, (long)pe, Consts.AT_EMPTY_PATH, (long)&attr, sizeof(MountAttr));
        }
    }

    /// <summary>Attaches a detached mount at target (move_mount with MOVE_MOUNT_F_EMPTY_PATH).</summary>
    public static int MoveMountTo(int mountFd, string target)
    {
        var empty = Libc.Utf8("");
        var t = Libc.Utf8(target);
        fixed (byte* pe = empty)
        fixed (byte* pt = t)
        {
            return (int)Libc.Syscall(SysMoveMount, mountFd, (long)pe, Consts.AT_FDCWD, (long)pt, MOVE_MOUNT_F_EMPTY_PATH);
        }
    }
}
