/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Every kernel function called through a thunk, once. No include guard: the
 * includer defines HG_THUNK(fn) first, thunk.h to declare hg_orig_<fn> and
 * each arch's thunk.S to emit hg_call_<fn> (the ';' ends a statement there
 * too).
 */
HG_THUNK(kallsyms_lookup_name);
HG_THUNK(security_bprm_check);
HG_THUNK(security_file_open);
HG_THUNK(security_mmap_file);
HG_THUNK(security_file_mprotect);
HG_THUNK(security_path_truncate);
HG_THUNK(security_file_truncate);
HG_THUNK(security_inode_free);
HG_THUNK(forced_access);
HG_THUNK(uffd_copy);
HG_THUNK(uffd_zeropage);
HG_THUNK(uffd_continue);
HG_THUNK(uffd_poison);
HG_THUNK(uffd_move);
HG_THUNK(sys_personality);
HG_THUNK(sys_personality_compat);
HG_THUNK(setup_arg_pages);
HG_THUNK(d_absolute_path);
