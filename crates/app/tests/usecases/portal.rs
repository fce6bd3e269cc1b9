//! The participant portal's reads: who a user may see, the overview and the statement.

use ixorg_app::declarations::api;
use ixorg_app::portal;
use ixorg_app::privacy::PrivacyError;
use ixorg_domain::Cents;
use ixorg_domain::declaration::{CostKind, DeclarationLine, Outcome, Who};
use ixorg_store::declarations::Channel;
use ixorg_testkit::{TestDb, db_test};
use time::macros::date;

use crate::declarations::{PROVIDER_AGB, platform};

/// The platform's household's members (main, partner, child), by their numbers.
async fn ids(
    ctx: &ixorg_app::AppContext,
    numbers: &[ixorg_domain::identifiers::ParticipantNumber],
) -> Vec<ixorg_domain::ids::ParticipantId> {
    let mut out = vec![];
    for n in numbers {
        let id = ixorg_app::processors::participant_of_number(ctx, n)
            .await
            .expect("lookup")
            .expect("known");
        out.push(id);
    }
    out
}

/// A second household like the first, without BSNs (which may be on file once only).
async fn another(ctx: &ixorg_app::AppContext) -> Vec<ixorg_domain::ids::ParticipantId> {
    let mut household = crate::household();
    for m in &mut household.members {
        m.bsn = None;
    }
    let system = ixorg_domain::privacy::Actor::System("test".into());
    ixorg_app::participants::register_household(ctx, system, household)
        .await
        .expect("register")
        .members
        .iter()
        .map(|m| m.0)
        .collect()
}

db_test!(
    a_main_participant_sees_themself_and_the_child_but_not_the_partner,
    async |t: TestDb| {
        let (ctx, numbers, _client) = platform(&t).await;
        let members = ids(&ctx, &numbers).await;
        let (main, partner, child) = (members[0], members[1], members[2]);

        let mains = portal::visible_members(&ctx, main).await.expect("members");
        let partners = portal::visible_members(&ctx, partner)
            .await
            .expect("members");
        let overview = portal::overview(&ctx, main).await.expect("overview");

        assert_eq!(mains, vec![(main, false), (child, true)]);
        assert_eq!(partners, vec![(partner, false)]);
        assert_eq!(overview.len(), 2);
        assert_eq!(overview[0].year.len(), 12);
        assert_eq!(
            overview[0].credit_left,
            overview[0]
                .member
                .balance
                .checked_add(overview[0].member.credit_line)
                .expect("fits")
        );
    }
);

db_test!(
    asking_for_another_households_member_is_refused_whatever_id_is_given,
    async |t: TestDb| {
        let (ctx, numbers, _client) = platform(&t).await;
        let ours = ids(&ctx, &numbers).await;
        let theirs = another(&ctx).await;

        let overview = portal::member_overview(&ctx, ours[0], theirs[0], false).await;
        let statement = portal::statement(&ctx, ours[0], theirs[2]).await;
        let partner = portal::statement(&ctx, ours[0], ours[1]).await;

        assert!(matches!(overview, Err(PrivacyError::Refused(_))));
        assert!(matches!(statement, Err(PrivacyError::Refused(_))));
        assert!(matches!(partner, Err(PrivacyError::Refused(_))));
    }
);

db_test!(
    a_line_paid_below_zero_is_explained_as_paid_from_the_credit_line,
    async |t: TestDb| {
        // Arrange: a new household has saved nothing yet, so the line takes the credit line.
        let (ctx, numbers, client) = platform(&t).await;
        let main = another(&ctx).await[0];
        let line = DeclarationLine {
            reference: "P-1".to_owned(),
            previous_reference: None,
            who: Who::Number(numbers[0].clone()),
            provider: PROVIDER_AGB.parse().expect("agb"),
            practice: None,
            treatment_date: date!(2026 - 12 - 10),
            code: "C002".to_owned(),
            element: None,
            surface: None,
            cost: CostKind::Honorarium,
            quantity: 1,
            unit_tariff: Cents::new(2851),
            amount: Cents::new(2851),
            accident: false,
        };
        api::submit(&ctx, &client, Channel::Api, "k", "inv", vec![line])
            .await
            .expect("submit");
        let first = ids(&ctx, &numbers).await[0];

        // Act
        let statement = portal::statement(&ctx, first, first)
            .await
            .expect("statement");
        let own = portal::statement(&ctx, main, main)
            .await
            .expect("statement");

        // Assert
        assert_eq!(statement.lines.len(), 1);
        let explained = &statement.lines[0];
        assert_eq!(explained.line.outcome, Outcome::Accepted);
        assert_eq!(explained.line.budget_paid, Cents::new(2851));
        assert_eq!(explained.from_credit, Cents::new(2851));
        assert_eq!(statement.member.balance, Cents::new(-2851));
        assert!(
            own.lines.is_empty(),
            "another household's line is not in it"
        );
    }
);
