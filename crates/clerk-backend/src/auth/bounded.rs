//! A map with a hard size bound and first-in-first-out eviction in O(1).
//!
//! The caches of this module hold credentials an attacker can mint at will (random tokens),
//! so inserting must never scan: eviction pops the oldest key from a queue. Keys removed
//! out of order leave stale queue slots, compacted once they outnumber the live entries.

use std::collections::{HashMap, VecDeque};
use std::hash::{BuildHasher, Hash};

pub(crate) struct BoundedMap<K, V, S> {
    map: HashMap<K, V, S>,
    order: VecDeque<K>,
    capacity: usize,
}

impl<K: Hash + Eq + Copy, V, S: BuildHasher + Default> BoundedMap<K, V, S> {
    /// A map holding at most `capacity` entries (at least one).
    pub(crate) fn new(capacity: usize) -> Self {
        BoundedMap {
            map: HashMap::default(),
            order: VecDeque::new(),
            capacity: capacity.max(1),
        }
    }
}

impl<K: Hash + Eq + Copy, V, S: BuildHasher> BoundedMap<K, V, S> {
    pub(crate) fn len(&self) -> usize {
        self.map.len()
    }

    pub(crate) fn get(&self, k: &K) -> Option<&V> {
        self.map.get(k)
    }

    #[cfg(feature = "client-core")]
    pub(crate) fn get_mut(&mut self, k: &K) -> Option<&mut V> {
        self.map.get_mut(k)
    }

    pub(crate) fn remove(&mut self, k: &K) -> Option<V> {
        self.map.remove(k)
    }

    pub(crate) fn clear(&mut self) {
        self.map.clear();
        self.order.clear();
    }

    /// Insert or replace; when full, evict the oldest entry first.
    pub(crate) fn insert(&mut self, k: K, v: V) {
        if let Some(slot) = self.map.get_mut(&k) {
            *slot = v;
            return;
        }
        while self.map.len() >= self.capacity {
            match self.order.pop_front() {
                Some(old) => {
                    self.map.remove(&old);
                }
                None => break,
            }
        }
        self.map.insert(k, v);
        self.order.push_back(k);
        if self.order.len() > 2 * self.capacity {
            let map = &self.map;
            self.order.retain(|k| map.contains_key(k));
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::hash::RandomState;

    #[test]
    fn evicts_oldest_and_stays_bounded() {
        let mut m: BoundedMap<u32, u32, RandomState> = BoundedMap::new(3);
        for i in 0..3 {
            m.insert(i, i);
        }
        m.insert(3, 3);
        assert!(m.get(&0).is_none());
        assert_eq!(m.len(), 3);
        // Out-of-order removals leave stale slots that are skipped and compacted.
        for i in 4..1000 {
            m.remove(&(i - 1));
            m.insert(i, i);
            assert!(m.len() <= 3);
            assert!(m.order.len() <= 6);
        }
        assert_eq!(m.get(&999), Some(&999));
    }
}
