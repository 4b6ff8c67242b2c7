/*
 * The kref lookup scenario of bench/family.ts, written by hand the way a SPIN user would write it,
 * so that SPIN's partial-order reduction is measured at its best: a worker's loop counter and its
 * reference flag are process-local, the device is a process of its own, and every step touches as
 * few globals as the scenario allows.
 *
 * An object is published in a table. Its last reference's release unpublishes it under the table
 * mutex before freeing it, so a worker that finds it published under the mutex may take a
 * reference with kref_get_unless_zero. With that reference the worker uses the object, lets its
 * own device DMA into it, quiesces the device and drops the reference. An owner drops the initial
 * reference. Sizes: spin -DWORKERS=N -DROUNDS=K -a kref.pml.
 */
#ifndef WORKERS
#define WORKERS 3
#endif
#ifndef ROUNDS
#define ROUNDS 1
#endif

byte refs = 1;
bool published = true;
bool freed = false;
byte mutex = 0;            /* 0 free, otherwise the holder's _pid + 1 */
bool running[WORKERS];
bool inflight[WORKERS];

inline lock_table() {
  atomic { mutex == 0 -> mutex = _pid + 1 }
}

inline unlock_table() {
  assert(mutex == _pid + 1);
  mutex = 0
}

/* kref_put: the release function runs when the count drops to zero. */
inline put_ref() {
  atomic { assert(!freed && refs > 0); refs--; last = (refs == 0) }
  if
  :: last -> lock_table(); published = false; unlock_table(); freed = true
  :: else -> skip
  fi
}

proctype device(byte d) {
end:
  do
  :: atomic { running[d] && !inflight[d] -> assert(!freed); inflight[d] = true }
  :: atomic { inflight[d] -> assert(!freed); inflight[d] = false }
  od
}

proctype worker(byte d) {
  byte round = 0;
  bool got = false;
  bool last = false;
  do
  :: round < ROUNDS ->
    lock_table();
    if
    :: published ->
      atomic {
        if
        :: refs > 0 -> refs++; got = true
        :: else -> got = false
        fi
      }
      unlock_table();
      if
      :: got ->
        assert(!freed);                        /* use obj */
        running[d] = true;                     /* start the device */
        atomic { running[d] = false; !inflight[d] }  /* quiesce: stop, then wait for the DMA */
        put_ref()
      :: else -> skip
      fi
    :: else -> unlock_table()
    fi;
    round++
  :: else -> break
  od
}

proctype owner() {
  bool last = false;
  put_ref()
}

init {
  atomic {
    byte d = 0;
    run owner();
    do
    :: d < WORKERS -> run device(d); run worker(d); d++
    :: else -> break
    od
  }
}
