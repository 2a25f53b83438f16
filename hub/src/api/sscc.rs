//! `POST /v1/sscc/block`: a device's next block of SSCC serial references (crate::sscc).

use axum::Json;
use axum::extract::State;
use dockhand_protocol::sscc::{SsccBlock, SsccBlockRequest};

use super::{AppState, blocking};
use crate::auth::DeviceAuth;
use crate::body::JsonBody;
use crate::error::HubResult;

/// The asking device's next block.
pub(super) async fn block(
    State(state): State<AppState>,
    DeviceAuth(device): DeviceAuth,
    JsonBody(asked): JsonBody<SsccBlockRequest>,
) -> HubResult<Json<SsccBlock>> {
    Ok(Json(
        blocking(&state, move |s| {
            crate::sscc::give(s, &device, asked.wanted, &crate::now_text())
        })
        .await?,
    ))
}
