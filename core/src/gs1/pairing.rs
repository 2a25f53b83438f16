//! Which AIs must or must not appear together (the dictionary's `req=` and `ex=` attributes),
//! judged over everything one scan carries.

use super::{Element, Gs1Error, dictionary, fail};

/// Whether `ai` matches `pattern`, where `n` in a pattern stands for any digit (`310n`, `35nn`).
fn matches(pattern: &str, ai: &str) -> bool {
    pattern.len() == ai.len()
        && pattern
            .chars()
            .zip(ai.chars())
            .all(|(p, a)| p == a || (p == 'n' && a.is_ascii_digit()))
}

/// Checks every element's required and excluded companions.
pub fn check_pairings(elements: &[Element]) -> Result<(), Gs1Error> {
    let present = |pattern: &str| elements.iter().any(|e| matches(pattern, &e.ai));
    for element in elements {
        let Some(spec) = dictionary().get(&element.ai) else {
            continue;
        };
        for group in &spec.requires {
            let satisfied = group
                .iter()
                .any(|alternative| alternative.iter().all(|p| present(p)));
            if !satisfied {
                let options: Vec<String> = group
                    .iter()
                    .map(|a| format!("({})", a.join(")+(")))
                    .collect();
                return Err(fail(
                    Some(&element.ai),
                    0,
                    format!(
                        "({}) needs one of {} in the same scan",
                        element.ai,
                        options.join(", ")
                    ),
                ));
            }
        }
        for pattern in &spec.excludes {
            if let Some(other) = elements
                .iter()
                .find(|e| e.ai != element.ai && matches(pattern, &e.ai))
            {
                return Err(fail(
                    Some(&element.ai),
                    0,
                    format!("({}) may not appear with ({})", element.ai, other.ai),
                ));
            }
        }
    }
    Ok(())
}
