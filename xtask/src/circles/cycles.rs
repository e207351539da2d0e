//! Strongly connected components of the file graph (Tarjan), and one shortest circle through
//! each component of more than one file, to name in a failure.

use std::collections::{BTreeMap, BTreeSet, VecDeque};
use std::path::PathBuf;

use crate::circles::resolve::Graph;

/// Files that import each other, directly or through others.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Circle {
    /// Every file of the component, sorted.
    pub files: Vec<PathBuf>,
    /// One circle through it: each file with the path it names the next one by; the last
    /// names the first.
    pub steps: Vec<(PathBuf, String)>,
}

/// Every component of more than one file.
pub fn circles(graph: &Graph) -> Vec<Circle> {
    let mut t = Tarjan {
        graph,
        index: BTreeMap::new(),
        low: BTreeMap::new(),
        stack: Vec::new(),
        on_stack: BTreeSet::new(),
        found: Vec::new(),
    };
    for node in graph.keys() {
        if !t.index.contains_key(node) {
            t.visit(node);
        }
    }
    let mut out: Vec<Circle> = t
        .found
        .into_iter()
        .filter(|c| c.len() > 1)
        .map(|mut files| {
            files.sort();
            let steps = shortest_circle(graph, &files);
            Circle { files, steps }
        })
        .collect();
    out.sort_by(|a, b| a.files.cmp(&b.files));
    out
}

struct Tarjan<'g> {
    graph: &'g Graph,
    index: BTreeMap<&'g PathBuf, usize>,
    low: BTreeMap<&'g PathBuf, usize>,
    stack: Vec<&'g PathBuf>,
    on_stack: BTreeSet<&'g PathBuf>,
    found: Vec<Vec<PathBuf>>,
}

impl<'g> Tarjan<'g> {
    fn visit(&mut self, node: &'g PathBuf) {
        let i = self.index.len();
        self.index.insert(node, i);
        self.low.insert(node, i);
        self.stack.push(node);
        self.on_stack.insert(node);
        for next in self.graph.get(node).into_iter().flat_map(|e| e.keys()) {
            if !self.index.contains_key(next) {
                self.visit(next);
                let low = self.low[node].min(self.low[next]);
                self.low.insert(node, low);
            } else if self.on_stack.contains(next) {
                let low = self.low[node].min(self.index[next]);
                self.low.insert(node, low);
            }
        }
        if self.low[node] == self.index[node] {
            let mut component = Vec::new();
            while let Some(top) = self.stack.pop() {
                self.on_stack.remove(top);
                component.push(top.clone());
                if top == node {
                    break;
                }
            }
            self.found.push(component);
        }
    }
}

/// Breadth-first from the component's first file back to itself, inside the component.
fn shortest_circle(graph: &Graph, files: &[PathBuf]) -> Vec<(PathBuf, String)> {
    let inside: BTreeSet<&PathBuf> = files.iter().collect();
    let start = &files[0];
    let mut came_from: BTreeMap<&PathBuf, &PathBuf> = BTreeMap::new();
    let mut queue = VecDeque::from([start]);
    let mut closing = None;
    'search: while let Some(node) = queue.pop_front() {
        for next in graph[node].keys().filter(|n| inside.contains(n)) {
            if next == start {
                closing = Some(node);
                break 'search;
            }
            if !came_from.contains_key(next) {
                came_from.insert(next, node);
                queue.push_back(next);
            }
        }
    }
    let mut order = Vec::new();
    let mut node = closing;
    while let Some(n) = node {
        order.push(n);
        node = if n == start {
            None
        } else {
            came_from.get(n).copied()
        };
    }
    order.reverse();
    let mut steps = Vec::new();
    for (i, from) in order.iter().enumerate() {
        let to = order.get(i + 1).copied().unwrap_or(start);
        steps.push(((*from).clone(), graph[*from][to].clone()));
    }
    steps
}
