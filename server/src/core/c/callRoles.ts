// What the name of a function the API table does not know says it does to what it is handed.
//
// The analysis treats unknown calls as neutral, except where the name states a role: a teardown
// helper drops what it is handed, a call that stores or links keeps a pointer to it, an unlock helper
// drops the locks of the objects it is handed.

/** Helpers that tear down what they are handed. */
export const RELEASE_LIKE = /(free|put|release|destroy|unref|drop|clean|remove|unregister|_del|delete|uninit|deinit|exit|close|unmap|unpin|dispose|teardown|detach|fini|unbind|undo|unwind|unprepare|disable|shutdown)/i;

/** Helpers whose name, word for word, says they put or free what they are handed (`sas_put_device`), not `compute_*`. */
export const TEARS_DOWN = /(^|_)(put|free|release|destroy|unregister|remove|delete|teardown)(_|$)/;

/** Calls that may keep a pointer to what they are handed. */
export const STORE_LIKE = /(add|register|set|store|insert|attach|anchor|push|queue|link|install|assign|submit|append|publish|bind|list_|xa_|idr_|rb_|hash|track|call_rcu|swap|replace|transfer|splice|cmpxchg|xchg|WRITE_ONCE|rcu_assign|save|hold|start|init|create|setup)/i;

/** Calls that link an object in through a member embedded in it (`list_add(&p->node, head)`). */
export const EMBEDS = /list_add|hlist_add|llist_add|_add_tail|rb_link|rb_insert|insert|xa_|idr_|radix|enqueue|queue|hash_add|call_rcu|link|register|attach|kobject_|add/i;

/**
 * Calls that initialise a member in place (`refcount_set(&p->refs, 1)`, `INIT_LIST_HEAD(&p->list)`,
 * `mutex_init(&p->lock)`): they keep no pointer to the structure around the member.
 */
export const IN_PLACE_INIT = /^(INIT_|init_|__init_)|_init$|_set$|^atomic(64|_long)?_set|^refcount_set|^kref_init|_setup$|^__?(spin|raw_spin|rw)?_?lock_init|^seqcount_init/;

/** Questions about an object (`amd_iommu_is_attach_deferred(dev)`): they neither keep nor drop it. */
export const QUESTION = /(^|_)(is|has|can|should|needs|was|does)_|(^|_)(empty|enabled|present|supported|valid|capable)$/;

/** Storing calls whose result is a success flag rather than an error code (`queue_work` is true when queued). */
export const SUCCESS_FLAG_RESULT = /(^|_)(queue|schedule)_(delayed_|rcu_)?work|^mod_(timer|delayed_work)|try|test_and|cmpxchg|xchg/i;

/**
 * Calls that hand a work item, delayed work, timer or tasklet to its callback: the object the item is
 * embedded in (`schedule_work(&info->work)`) goes with it, and the callback frees it.
 */
export const HANDS_TO_CALLBACK = /^(schedule_(delayed_)?work(_on)?|queue_(delayed_|rcu_)?work(_on)?|mod_delayed_work(_on)?|kthread_queue_(delayed_)?work|mod_timer|add_timer(_on)?|tasklet_(hi_)?schedule)$/;

/**
 * Calls that install a new file with private data and return its descriptor
 * (`anon_inode_getfd(name, fops, priv, flags)`): once the descriptor is installed, the file's release
 * callback owns `priv`, and no later error of the caller may free it.
 */
export const INSTALLS_FILE_WITH: Readonly<Record<string, number>> = { anon_inode_getfd: 2, anon_inode_getfd_secure: 2 };

/**
 * Registrations of a structure: many drop the structure through its release callback when they
 * fail. The driver core's own (`CORE_REGISTRATION`) leave the reference with the caller.
 */
export const REGISTERS = /register|_add_one_|_attach_device/i;
export const CORE_REGISTRATION = /^(device_register|device_add|platform_device_add|platform_device_register)$/;

/**
 * Calls that print or trace what they are handed (`VM_EVENT(kvm, 3, "%pK", old_sca)`): a pointer
 * freed before is only printed as a value, not used.
 */
export const LOGS = /^(printk|pr_[a-z_]+|(dev|netdev|ibdev|wiphy|drm|drm_dbg|hid|ata_(dev|link|port))_(err|warn|info|dbg|notice|crit|alert|emerg|printk|vdbg)[a-z_]*|trace_[a-z0-9_]+|[A-Z][A-Z0-9_]*_(EVENT|DBG|DEBUG|LOG|PRINT|PRINTK|TRACE)|(DBG|DEBUG|LOG|TRACE|PRINTK)[A-Z0-9_]*)$/;

/** Calls that install a page in a page table (`set_pmd(pmd, __pmd(_PAGE_TABLE | __pa(new_pte_page)))`): the table keeps the page. */
export const INSTALLS_IN_PAGE_TABLE = /^(set_(pte|pmd|pud|p4d|pgd)(_at|_safe)?|(pte|pmd|pud|p4d|pgd)_populate(_kernel|_safe)?(_init)?)$/;

/**
 * Registrations of a time source on a running counter that cannot fail or be undone
 * (`sched_clock_register()`): the clocks that drive it must stay prepared and enabled from then on. A clocksource registration that can fail (`clocksource_mmio_init()`) is not one of them:
 * when it fails, nothing runs on the clock.
 */
export const REGISTERS_TIME_SOURCE = /^(sched_clock_register|register_current_timer_delay|clockevents_config_and_register|clockevents_register_device)$/;

/**
 * Calls that do not return (`__noreturn` in the kernel's headers): a path that reaches one ends
 * there. `die()` returns on x86 only when a notifier claims the oops, and ends the task elsewhere.
 */
export const NO_RETURN = /^(panic|BUG|__BUG|do_exit|do_group_exit|make_task_dead|kthread_exit|kthread_complete_and_exit|die|parisc_terminate|machine_halt|machine_power_off|machine_restart|emergency_restart|__stack_chk_fail|usercopy_abort|nmi_panic)$/;

/**
 * Macros whose last argument names a member, not a variable (`list_entry(pos, struct qid_list,
 * entry)` while a local is also called `entry`).
 */
export const NAMES_A_MEMBER = /^(container_of(_const)?|list_entry(_rcu)?|list_first_entry(_or_null)?|list_last_entry|list_next_entry|list_prev_entry|hlist_entry(_safe)?|llist_entry|rb_entry(_safe)?)$/;

/** Helpers that unlock what they are handed. */
export const UNLOCK_LIKE = /unlock|release|irqrestore|_up$|_exit$|_end$|_finish$|_leave$/i;

/** Functions whose job may be to return with a lock held. */
export const LOCK_HELPER = /lock|acquire|begin|enter|grab|hold|claim/i;

/** Registers a callback run when the device is detached: `devm_add_action_or_reset(dev, release, data)`. */
export const DEVICE_ACTION = /^devm_add_action(_or_reset)?$/;

/** Try-locks the table does not list (`__rt_spin_trylock()`): 1 when they took the lock, 0 when not, never an error code. */
export const TRY_LOCK = /(^|_)trylock(_|$)/;

/** A function of the project whose name says it queues a work item: `scst_sysfs_queue_wait_work()`, `nvme_queue_scan_work()`. */
export const QUEUES_WORK = /(^|_)queue_([a-z0-9]+_)*work(_|$)|(^|_)schedule_([a-z0-9]+_)*work(_|$)/;
