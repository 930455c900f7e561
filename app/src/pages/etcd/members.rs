//! The member table: `etcdctl endpoint status --cluster` and `endpoint
//! health` in one. On phones each row becomes a card of labelled lines.

use leptos::prelude::*;

use crate::etcd::EtcdMember;
use crate::patroni::lag::human_bytes;

#[component]
pub fn MemberTable(members: Vec<EtcdMember>) -> impl IntoView {
    view! {
        <div class="table-wrap">
            <table class="etcd-members" data-testid="etcd-members">
                <thead>
                    <tr>
                        <th>"Member"</th>
                        <th>"Role"</th>
                        <th>"Health"</th>
                        <th>"Version"</th>
                        <th>"DB size"</th>
                        <th>"Quota"</th>
                        <th title="Raft term">"Term"</th>
                        <th title="Raft index">"Index"</th>
                        <th title="Raft applied index">"Applied"</th>
                        <th>"URLs"</th>
                    </tr>
                </thead>
                <tbody>
                    {members.into_iter().map(|m| view! { <MemberRow member=m /> }).collect_view()}
                </tbody>
            </table>
        </div>
    }
}

#[component]
fn MemberRow(member: EtcdMember) -> impl IntoView {
    // A member that did not answer could be anything but a learner.
    let answered = member.round_trip_us.is_some();
    let role = match (member.is_leader, member.is_learner, answered) {
        (true, _, _) => "leader",
        (false, true, _) => "learner",
        (false, false, true) => "follower",
        (false, false, false) => "unknown",
    };
    let health = match (member.healthy, member.round_trip_us) {
        (true, Some(us)) => format!("healthy · {}", round_trip(us)),
        (true, None) => "healthy".to_owned(),
        (false, _) => short(member.error.as_deref().unwrap_or("unhealthy")).to_owned(),
    };
    let health_title = member.error.clone();
    let size = |b: Option<u64>| b.map_or_else(|| "–".to_owned(), human_bytes);
    let num = |n: Option<u64>| n.map_or_else(|| "–".to_owned(), |n| n.to_string());
    let warn = member.quota_warning();
    let quota = quota_text(&member);
    let percent = member.quota_used_percent.unwrap_or_default();
    let quota_title = member
        .quota_assumed
        .then_some("etcd before 3.6 does not report its quota: assuming etcd's default of 2 GiB");
    let label = member.label().to_owned();
    let label_attr = label.clone();
    let id = member.id.clone();
    let id_attr = member.id.clone();
    let errors = (!member.errors.is_empty()).then(|| {
        view! { <div class="sub bad" data-testid="member-errors">{member.errors.join("; ")}</div> }
    });
    let in_use = member
        .db_size_in_use
        .map(|b| view! { <div class="sub">{format!("{} in use", human_bytes(b))}</div> });
    view! {
        <tr
            data-testid="etcd-member"
            data-member=label_attr
            data-id=id_attr
            data-role=role
            data-healthy=member.healthy.to_string()
            class:down=!member.healthy
        >
            <td class="name" data-label="Member">
                <div>{label}<code class="sub" data-testid="member-id">{id}</code></div>
            </td>
            <td data-label="Role"><span class=format!("role etcd-role-{role}") data-testid="role">{role}</span></td>
            <td data-label="Health" class="wrap">
                <div>
                    <span data-testid="health" class:ok=member.healthy class:bad=!member.healthy title=health_title>{health}</span>
                    {errors}
                </div>
            </td>
            <td data-label="Version">{member.version.clone().unwrap_or_else(|| "–".into())}</td>
            <td data-label="DB size"><div><span data-testid="db-size">{size(member.db_size)}</span>{in_use}</div></td>
            <td data-label="Quota" data-testid="quota" class:warn=warn title=quota_title>
                <div>
                    {quota}
                    {member.quota_used_percent.map(|_| view! {
                        <meter class="quota-meter" min="0" max="100" low="60" high="80" optimum="0" value=percent></meter>
                    })}
                </div>
            </td>
            <td data-label="Raft term">{num(member.raft_term)}</td>
            <td data-label="Raft index" data-testid="raft-index">{num(member.raft_index)}</td>
            <td data-label="Applied index">{num(member.raft_applied_index)}</td>
            <td data-label="URLs" class="urls">
                <div>
                    {urls("client", &member.client_urls)}
                    {urls("peer", &member.peer_urls)}
                </div>
            </td>
        </tr>
    }
}

/// URLs of one kind, one a line, each marked with the kind.
fn urls(kind: &'static str, list: &[String]) -> impl IntoView {
    list.iter()
        .map(|u| view! { <div class="url"><span class="muted">{kind}" "</span><code>{u.clone()}</code></div> })
        .collect_view()
}

/// The gist of an error: the words before the detail in parentheses
/// (the whole text is the cell's title).
fn short(error: &str) -> &str {
    error.split_once(" (").map_or(error, |(gist, _)| gist)
}

/// "12.0 KiB of 2.0 GiB (0.1 %)"; the quota marked when assumed.
fn quota_text(m: &EtcdMember) -> String {
    match (m.quota_bytes, m.quota_used_percent) {
        (Some(q), Some(p)) => {
            let assumed = if m.quota_assumed { "*" } else { "" };
            format!("{p:.1} % of {}{assumed}", human_bytes(q))
        }
        _ => "–".to_owned(),
    }
}

/// Microseconds as milliseconds with one decimal ("0.8 ms").
fn round_trip(us: u64) -> String {
    format!("{:.1} ms", us as f64 / 1000.0)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::etcd::tests::member;

    #[test]
    fn quota_and_round_trip_read_well() {
        let mut m = member("etcd1", "a", true, false);
        assert_eq!(quota_text(&m), "–");
        m.quota_bytes = Some(2 << 30);
        m.quota_used_percent = Some(0.06);
        m.quota_assumed = true;
        assert_eq!(quota_text(&m), "0.1 % of 2.0 GiB*");
        assert_eq!(round_trip(870), "0.9 ms");
        assert_eq!(round_trip(12_345), "12.3 ms");
        assert_eq!(
            short("nothing listens at the etcd endpoint (grpc: refused)"),
            "nothing listens at the etcd endpoint"
        );
        assert_eq!(short("no answer within 1.5s"), "no answer within 1.5s");
    }
}
